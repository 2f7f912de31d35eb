// Is the code this server serves now the build this browser pinned? The gate App.svelte passes
// before any page (and so any identity key, room key or knock) is used. Every request goes to the
// network (`Fetcher`), past the pinning service worker; the pin is read from a PinStore.
//
// - No pin yet: first visit, trust on first use (the caller pins the served build).
// - The served manifest hashes to another version: `changed`, which the person may accept.
// - Same manifest, but a served code file differs from it (or the manifest is gone or broken):
//   `inconsistent`, which cannot be accepted; the pinned copy keeps being the one that runs.
import { sha256Hex } from './digest';
import { changedFiles, ManifestError, MANIFEST_PATH, parseManifest, type IntegrityManifest } from './manifest';
import type { Pin, PinStore } from './pin-store';

/** GET `path` from the server itself (never a cached copy), optionally as `If-None-Match: etag`. */
export type Fetcher = (path: string, etag?: string) => Promise<Response>;

export type CodeCheck =
  /** Nothing to compare: no service worker here, or a server that publishes no manifest and was never pinned. */
  | { readonly kind: 'unpinned'; readonly reason: string }
  | { readonly kind: 'first-visit'; readonly version: string; readonly manifest: IntegrityManifest }
  | { readonly kind: 'same'; readonly version: string }
  | { readonly kind: 'changed'; readonly from: string; readonly to: string; readonly files: readonly string[] }
  | { readonly kind: 'inconsistent'; readonly from: string; readonly to: string | null; readonly files: readonly string[]; readonly reason: string };

interface Served {
  readonly hash: string;
  readonly manifest: IntegrityManifest;
}

/** Source maps are fetched by developer tools only; they are listed and verified, never pinned. */
function pinnedFiles(manifest: IntegrityManifest): string[] {
  return Object.keys(manifest.files).filter((f) => !f.endsWith('.map')).sort();
}

async function servedManifest(get: Fetcher): Promise<Served | string> {
  let response: Response;
  try {
    response = await get(MANIFEST_PATH);
  } catch {
    return 'the manifest could not be fetched';
  }
  if (response.status !== 200) return `the server answered ${response.status} for ${MANIFEST_PATH}`;
  const bytes = new Uint8Array(await response.arrayBuffer());
  try {
    const manifest = parseManifest(new TextDecoder().decode(bytes));
    return { hash: await sha256Hex(bytes), manifest };
  } catch (error) {
    if (error instanceof ManifestError) return error.message;
    throw error;
  }
}

/** Served files of `manifest` whose bytes do not hash to its entry (a 304 for `etagOf`'s tag counts as unchanged). */
async function differingFiles(get: Fetcher, manifest: IntegrityManifest, etagOf: (path: string) => Promise<string | undefined>): Promise<string[]> {
  const results = await Promise.all(
    pinnedFiles(manifest).map(async (path) => {
      const etag = await etagOf(path);
      try {
        const response = await get(path, etag);
        if (response.status === 304 && etag !== undefined) return null;
        if (response.status !== 200) return path;
        return (await sha256Hex(await response.arrayBuffer())) === manifest.files[path] ? null : path;
      } catch {
        return path;
      }
    }),
  );
  return results.filter((p): p is string => p !== null);
}

export async function checkServedCode(get: Fetcher, store: PinStore): Promise<CodeCheck> {
  const pin = await store.read();
  const served = await servedManifest(get);
  if (typeof served === 'string') {
    return pin === undefined ? { kind: 'unpinned', reason: served } : { kind: 'inconsistent', from: pin.manifestHash, to: null, files: [], reason: served };
  }
  if (pin === undefined) return { kind: 'first-visit', version: served.hash, manifest: served.manifest };
  if (served.hash !== pin.manifestHash) return { kind: 'changed', from: pin.manifestHash, to: served.hash, files: changedFiles(pin.manifest, served.manifest) };
  const files = await differingFiles(get, pin.manifest, (path) => store.etag(pin, path));
  if (files.length > 0) return { kind: 'inconsistent', from: pin.manifestHash, to: served.hash, files, reason: 'served files differ from the manifest' };
  return { kind: 'same', version: pin.manifestHash };
}

export type PinResult = { readonly ok: true; readonly pin: Pin } | { readonly ok: false; readonly to: string | null; readonly files: readonly string[]; readonly reason: string };

/**
 * Fetches the served build, checks every file against the served manifest and pins it. With
 * `expected`, refuses a manifest other than that version (the one the person was shown).
 */
export async function pinServedCode(get: Fetcher, store: PinStore, expected?: string): Promise<PinResult> {
  const served = await servedManifest(get);
  if (typeof served === 'string') return { ok: false, to: null, files: [], reason: served };
  if (expected !== undefined && served.hash !== expected) return { ok: false, to: served.hash, files: [], reason: 'the served version changed again' };
  const files = new Map<string, Response>();
  const bad: string[] = [];
  await Promise.all(
    pinnedFiles(served.manifest).map(async (path) => {
      try {
        const response = await get(path);
        const bytes = await response.arrayBuffer();
        if (response.status !== 200 || (await sha256Hex(bytes)) !== served.manifest.files[path]) return bad.push(path);
        files.set(path, new Response(bytes, { status: 200, headers: response.headers }));
      } catch {
        bad.push(path);
      }
      return undefined;
    }),
  );
  if (bad.length > 0) return { ok: false, to: served.hash, files: bad.sort(), reason: 'served files differ from the manifest' };
  await store.save(served.hash, served.manifest, files);
  return { ok: true, pin: { manifestHash: served.hash, manifest: served.manifest } };
}
