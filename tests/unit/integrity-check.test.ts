// client/src/lib/integrity/check.ts against an in-memory server and pin store: first visit, the
// same build again, a new build, a file changed under an unchanged manifest, a missing manifest.
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkServedCode, pinServedCode, type Fetcher } from '../../client/src/lib/integrity/check';
import { serializeManifest, type IntegrityManifest } from '../../client/src/lib/integrity/manifest';
import type { Pin, PinStore } from '../../client/src/lib/integrity/pin-store';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A build: its files and the manifest the plugin would write for them. */
function build(files: Record<string, string>): Record<string, string> {
  const manifest: IntegrityManifest = { version: 1, algorithm: 'sha256', files: Object.fromEntries(Object.entries(files).map(([p, t]) => [p, sha256(t)])) };
  return { ...files, '/integrity.json': serializeManifest(manifest) };
}

const v1 = build({ '/index.html': '<html>v1', '/assets/app.js': 'app v1', '/assets/app.js.map': '{}', '/sw.js': 'sw' });
const v2 = build({ '/index.html': '<html>v2', '/assets/app2.js': 'app v2', '/sw.js': 'sw' });

class FakeServer {
  files: Record<string, string> = v1;
  readonly asked: string[] = [];
  readonly fetch: Fetcher = async (path, etag) => {
    this.asked.push(path);
    const body = this.files[path];
    if (body === undefined) return new Response('not found', { status: 404 });
    const tag = `"${sha256(body).slice(0, 16)}"`;
    if (etag === tag) return new Response(null, { status: 304 });
    return new Response(body, { status: 200, headers: { etag: tag } });
  };
}

class MemoryStore implements PinStore {
  pin: Pin | undefined;
  readonly saved = new Map<string, Map<string, Response>>();
  async read() {
    return this.pin;
  }
  async etag(pin: Pin, path: string) {
    return this.saved.get(pin.manifestHash)?.get(path)?.headers.get('etag') ?? undefined;
  }
  async save(manifestHash: string, manifest: IntegrityManifest, files: ReadonlyMap<string, Response>) {
    this.saved.set(manifestHash, new Map(files));
    this.pin = { manifestHash, manifest };
  }
}

let server: FakeServer;
let store: MemoryStore;
beforeEach(() => {
  server = new FakeServer();
  store = new MemoryStore();
});

describe('served code check', () => {
  it('calls a visit without a pin the first one and names the served version', async () => {
    const check = await checkServedCode(server.fetch, store);
    expect(check).toMatchObject({ kind: 'first-visit', version: sha256(v1['/integrity.json']!) });
  });

  it('pins every code file checked against the manifest, but not source maps', async () => {
    const pinned = await pinServedCode(server.fetch, store);
    expect(pinned.ok).toBe(true);
    expect(store.pin?.manifestHash).toBe(sha256(v1['/integrity.json']!));
    expect([...store.saved.get(store.pin!.manifestHash)!.keys()].sort()).toEqual(['/assets/app.js', '/index.html', '/sw.js']);
  });

  it('finds the same build the same, asking with the pinned ETags', async () => {
    await pinServedCode(server.fetch, store);
    server.asked.length = 0;
    expect(await checkServedCode(server.fetch, store)).toEqual({ kind: 'same', version: store.pin!.manifestHash });
    expect(server.asked.sort()).toEqual(['/assets/app.js', '/index.html', '/integrity.json', '/sw.js']);
  });

  it('reports a new build as changed, from the pinned version to the served one, with the files that differ', async () => {
    await pinServedCode(server.fetch, store);
    server.files = v2;
    expect(await checkServedCode(server.fetch, store)).toEqual({
      kind: 'changed',
      from: sha256(v1['/integrity.json']!),
      to: sha256(v2['/integrity.json']!),
      files: ['/assets/app.js', '/assets/app.js.map', '/assets/app2.js', '/index.html'],
    });
  });

  it('reports one changed byte in one file under the same manifest as inconsistent, naming that file', async () => {
    await pinServedCode(server.fetch, store);
    server.files = { ...v1, '/assets/app.js': 'app v!' };
    expect(await checkServedCode(server.fetch, store)).toMatchObject({ kind: 'inconsistent', files: ['/assets/app.js'], reason: 'served files differ from the manifest' });
  });

  it('reports a missing file and a missing manifest after a pin as inconsistent', async () => {
    await pinServedCode(server.fetch, store);
    const { '/sw.js': _sw, ...withoutWorker } = v1;
    server.files = withoutWorker;
    expect(await checkServedCode(server.fetch, store)).toMatchObject({ kind: 'inconsistent', files: ['/sw.js'] });
    const { '/integrity.json': _manifest, ...withoutManifest } = v1;
    server.files = withoutManifest;
    expect(await checkServedCode(server.fetch, store)).toMatchObject({ kind: 'inconsistent', to: null, reason: 'the server answered 404 for /integrity.json' });
  });

  it('leaves a never-pinned browser unpinned when the server publishes no valid manifest', async () => {
    server.files = { '/index.html': 'x', '/integrity.json': '<!doctype html>' };
    expect(await checkServedCode(server.fetch, store)).toEqual({ kind: 'unpinned', reason: 'the manifest is not JSON' });
  });

  it('refuses to pin files that do not match the served manifest, and a version other than the one shown', async () => {
    server.files = { ...v2, '/assets/app2.js': 'tampered' };
    expect(await pinServedCode(server.fetch, store)).toMatchObject({ ok: false, files: ['/assets/app2.js'] });
    expect(store.pin).toBeUndefined();
    server.files = v2;
    expect(await pinServedCode(server.fetch, store, sha256(v1['/integrity.json']!))).toMatchObject({ ok: false, reason: 'the served version changed again' });
    expect(store.pin).toBeUndefined();
  });

  it('after accepting a new build, finds it the same on the next visit', async () => {
    await pinServedCode(server.fetch, store);
    server.files = v2;
    const check = await checkServedCode(server.fetch, store);
    if (check.kind !== 'changed') throw new Error(`expected changed, got ${check.kind}`);
    expect((await pinServedCode(server.fetch, store, check.to)).ok).toBe(true);
    expect(await checkServedCode(server.fetch, store)).toEqual({ kind: 'same', version: check.to });
  });
});
