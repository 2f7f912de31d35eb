// Where the pinned build lives in the browser: the Cache API, which the pinning service worker
// (client/public/sw.js) reads too. One record names the pinned manifest and its hash; the code
// files sit in a cache named after that hash, as the server answered them (headers included, so a
// pinned index.html keeps its Content-Security-Policy). Must stay in step with sw.js.
import { parseManifest, type IntegrityManifest } from './manifest';

const PIN_CACHE = 'sealroom-pin';
const PIN_KEY = '/__sealroom/pin';
const CODE_CACHE_PREFIX = 'sealroom-code-';
/** Marks the page's own requests for what the server serves now; sw.js lets them through. */
export const CHECK_HEADER = 'x-sealroom-check';

export interface Pin {
  readonly manifestHash: string;
  readonly manifest: IntegrityManifest;
}

export interface PinStore {
  read(): Promise<Pin | undefined>;
  /** The ETag the server gave a pinned file, to ask it cheaply whether the file is still the same. */
  etag(pin: Pin, path: string): Promise<string | undefined>;
  /** Stores `files` under `manifestHash`, then points the pin at it and drops older copies. */
  save(manifestHash: string, manifest: IntegrityManifest, files: ReadonlyMap<string, Response>): Promise<void>;
}

export class CachePinStore implements PinStore {
  async read(): Promise<Pin | undefined> {
    const record = await (await caches.open(PIN_CACHE)).match(PIN_KEY);
    if (record === undefined) return undefined;
    try {
      const value = (await record.json()) as { manifestHash?: unknown; files?: unknown };
      if (typeof value.manifestHash !== 'string') return undefined;
      const manifest = parseManifest(JSON.stringify({ version: 1, algorithm: 'sha256', files: value.files }));
      return { manifestHash: value.manifestHash, manifest };
    } catch {
      return undefined;
    }
  }

  async etag(pin: Pin, path: string): Promise<string | undefined> {
    const cached = await (await caches.open(CODE_CACHE_PREFIX + pin.manifestHash)).match(path);
    return cached?.headers.get('etag') ?? undefined;
  }

  async save(manifestHash: string, manifest: IntegrityManifest, files: ReadonlyMap<string, Response>): Promise<void> {
    const code = await caches.open(CODE_CACHE_PREFIX + manifestHash);
    for (const [path, response] of files) await code.put(path, response);
    const record = JSON.stringify({ manifestHash, files: manifest.files });
    await (await caches.open(PIN_CACHE)).put(PIN_KEY, new Response(record, { headers: { 'content-type': 'application/json' } }));
    for (const name of await caches.keys()) {
      if (name.startsWith(CODE_CACHE_PREFIX) && name !== CODE_CACHE_PREFIX + manifestHash) await caches.delete(name);
    }
  }
}
