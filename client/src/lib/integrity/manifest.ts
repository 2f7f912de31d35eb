// integrity.json: the SHA-256 (hex) of every file the server serves from client/dist, keyed by URL
// path, written by client/build/integrity-plugin.ts. Serialized with sorted keys and one trailing
// newline, so equal builds give equal bytes; the SHA-256 of those bytes is the build's version id.
//
//   { "version": 1, "algorithm": "sha256", "files": { "/assets/index-….js": "<64 hex>", … } }

export const MANIFEST_FILE = 'integrity.json';
export const MANIFEST_PATH = `/${MANIFEST_FILE}`;

export interface IntegrityManifest {
  readonly version: 1;
  readonly algorithm: 'sha256';
  /** URL path ("/index.html", "/assets/…") to lower-case hex SHA-256. */
  readonly files: Readonly<Record<string, string>>;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

const HEX64 = /^[0-9a-f]{64}$/;
const URL_PATH = /^\/[A-Za-z0-9._\-/]+$/;

export function serializeManifest(manifest: IntegrityManifest): string {
  const files = Object.fromEntries(Object.keys(manifest.files).sort().map((k) => [k, manifest.files[k]]));
  return `${JSON.stringify({ version: manifest.version, algorithm: manifest.algorithm, files }, null, 2)}\n`;
}

/** Checks the shape of a served or published manifest; throws ManifestError saying what is wrong. */
export function parseManifest(text: string): IntegrityManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ManifestError('the manifest is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw new ManifestError('the manifest is not a JSON object');
  const { version, algorithm, files } = value as Record<string, unknown>;
  if (version !== 1) throw new ManifestError(`unknown manifest version ${JSON.stringify(version)}`);
  if (algorithm !== 'sha256') throw new ManifestError(`unknown manifest algorithm ${JSON.stringify(algorithm)}`);
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw new ManifestError('the manifest has no file table');
  const out: Record<string, string> = {};
  for (const [file, digest] of Object.entries(files)) {
    if (!URL_PATH.test(file) || file.includes('..')) throw new ManifestError(`bad path in the manifest: ${JSON.stringify(file)}`);
    if (typeof digest !== 'string' || !HEX64.test(digest)) throw new ManifestError(`bad SHA-256 for ${file} in the manifest`);
    out[file] = digest;
  }
  if (!('/index.html' in out)) throw new ManifestError('the manifest does not list /index.html');
  return { version: 1, algorithm: 'sha256', files: out };
}

/** Files whose digests differ between two manifests, or that only one lists. */
export function changedFiles(a: IntegrityManifest, b: IntegrityManifest): string[] {
  const all = new Set([...Object.keys(a.files), ...Object.keys(b.files)]);
  return [...all].filter((f) => a.files[f] !== b.files[f]).sort();
}
