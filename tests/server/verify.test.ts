// scripts/verify.mjs, run as a person would (a child `node` process), against the real server
// serving a client build, and through a tampering proxy that changes one byte of one file. The
// build is a small stand-in made with the build plugin's own functions (SRI, manifest), so this
// tier needs no Vite run; tests/build/reproducible.test.ts covers the real build.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSubresourceIntegrity, manifestOf } from '../../client/build/integrity-plugin';
import { serializeManifest } from '../../client/src/lib/integrity/manifest';
import { startTestServer, unusedPort, type TestServer } from './helpers';
import { startTamperProxy, type TamperProxy } from './tamper-proxy';

const VERIFY = fileURLToPath(new URL('../../scripts/verify.mjs', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  fails: string[];
}

function verify(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VERIFY, ...args], (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      const fails = stdout.split('\n').filter((l) => l.startsWith('FAIL  ')).map((l) => l.split(/\s+/)[1] ?? '');
      resolve({ code, stdout, stderr, fails });
    });
  });
}

/** A client build in miniature: a page with a script and a stylesheet, a worker, a wasm file, a source map. */
function makeBuild(dir: string, page = 'v1'): string {
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  const files: Record<string, string> = {
    'assets/index-a1.js': 'new Worker(new URL("/assets/worker-b2.js", import.meta.url), { type: "module" });',
    'assets/index-a1.js.map': '{"version":3,"sources":[],"mappings":""}',
    'assets/index-c3.css': 'body { color: black }',
    'assets/worker-b2.js': 'self.onmessage = () => undefined;',
    'assets/noise-d4.wasm': '\0asm\x01\0\0\0',
    'sw.js': "self.addEventListener('fetch', () => undefined);",
    'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  };
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  const html = `<!doctype html><title>${page}</title><link rel="icon" href="/favicon.svg"><script type="module" crossorigin src="/assets/index-a1.js"></script><link rel="stylesheet" crossorigin href="/assets/index-c3.css">`;
  writeFileSync(path.join(dir, 'index.html'), addSubresourceIntegrity(html, (url) => Buffer.from(files[url.slice(1)] ?? '')));
  const manifest = path.join(dir, 'integrity.json');
  writeFileSync(manifest, serializeManifest(manifestOf(dir)));
  return manifest;
}

let root: string;
let dist: string;
let manifest: string;
let server: TestServer;
let proxy: TamperProxy;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'sealroom-verify-'));
  dist = path.join(root, 'dist');
  manifest = makeBuild(dist);
  server = await startTestServer({ staticDir: dist });
  proxy = await startTamperProxy(server.base);
});
afterAll(async () => {
  await proxy.close();
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('sealroom-verify', () => {
  it('passes every file of an honest server against the local build, and says so', async () => {
    const run = await verify(server.base, '--manifest', manifest);
    expect(run.fails).toEqual([]);
    expect(run.code).toBe(0);
    for (const file of ['/', '/r/AAAAAAAAAAAAAAAAAAAAAA', '/index.html', '/integrity.json', '/assets/index-a1.js', '/assets/worker-b2.js', '/assets/noise-d4.wasm', '/sw.js']) {
      expect(run.stdout).toMatch(new RegExp(`^PASS  ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(\\s|$)`, 'm'));
    }
    expect(run.stdout).toContain('OK: all');
  });

  it.each(['/assets/worker-b2.js', '/assets/index-a1.js', '/assets/noise-d4.wasm', '/sw.js'])('fails on exactly %s when a proxy changes one byte of it', async (file) => {
    proxy.tamper = file;
    try {
      const run = await verify(proxy.origin, '--manifest', manifest);
      expect(run.code).toBe(1);
      expect(run.fails).toEqual([file]);
      expect(run.stdout).toMatch(new RegExp(`^FAIL  ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}  sha256 differs: expected [0-9a-f]{64}, served [0-9a-f]{64}$`, 'm'));
    } finally {
      proxy.tamper = null;
    }
  });

  it('passes through the proxy when it changes nothing (the proxy itself is not what fails)', async () => {
    const run = await verify(proxy.origin, '--manifest', manifest);
    expect(run.code).toBe(0);
  });

  it('fails on a file the manifest lists that the server does not serve', async () => {
    const partial = path.join(root, 'partial');
    makeBuild(partial);
    rmSync(path.join(partial, 'assets/worker-b2.js'));
    const other = await startTestServer({ staticDir: partial });
    try {
      const run = await verify(other.base, '--manifest', manifest);
      expect(run.code).toBe(1);
      expect(run.fails).toEqual(['/assets/worker-b2.js']);
      expect(run.stdout).toContain('FAIL  /assets/worker-b2.js  missing (HTTP 404)');
    } finally {
      await other.close();
    }
  });

  it('fails on another build (another page), naming the manifest and the page', async () => {
    const other = path.join(root, 'other');
    const otherManifest = makeBuild(other, 'v2');
    const run = await verify(server.base, '--manifest', otherManifest);
    expect(run.code).toBe(1);
    expect(run.fails).toEqual(['/integrity.json', '/', '/r/AAAAAAAAAAAAAAAAAAAAAA', '/index.html']);
  });

  it('takes the reference manifest from a URL too', async () => {
    const run = await verify(proxy.origin, '--manifest', `${server.base}/integrity.json`);
    expect(run.code).toBe(0);
  });

  it('fails on every file when the deployment cannot be reached', async () => {
    const run = await verify(`http://127.0.0.1:${await unusedPort()}`, '--manifest', manifest);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL  /integrity.json  not fetched: ECONNREFUSED');
    expect(run.stdout).toMatch(/^FAIL {2}\/assets\/index-a1\.js {2}not fetched: ECONNREFUSED$/m);
  });

  it.each([
    ['no deployment', [], 'name the deployment to verify'],
    ['a deployment that is not a URL', ['host.example'], 'not a URL: host.example'],
    ['a non-http URL', ['ftp://host.example'], 'not an http(s) URL'],
    ['two deployments', ['http://a.example', 'http://b.example'], 'one deployment at a time'],
    ['an unknown option', ['http://a.example', '--fast'], 'unknown option --fast'],
    ['--manifest without a value', ['http://a.example', '--manifest'], '--manifest needs a file or a URL'],
    ['a manifest file that does not exist', ['http://a.example', '--manifest', '/nonexistent/integrity.json'], 'cannot read the manifest'],
  ])('refuses %s with exit code 2 and a clear message', async (_what, args, message) => {
    const run = await verify(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('usage: sealroom-verify');
  });

  it('refuses a manifest URL that answers an error or cannot be reached, with exit code 2', async () => {
    const missing = await verify(server.base, '--manifest', `${server.base}/nothing.json`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`the manifest ${server.base}/nothing.json answered HTTP 404`);
    const unreachable = await verify(server.base, '--manifest', `http://127.0.0.1:${await unusedPort()}/integrity.json`);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain('cannot fetch the manifest');
  });

  it('fails on a served manifest that is not one, and still checks every file', async () => {
    const broken = path.join(root, 'broken');
    makeBuild(broken);
    writeFileSync(path.join(broken, 'integrity.json'), '<!doctype html>');
    const other = await startTestServer({ staticDir: broken });
    try {
      const run = await verify(other.base, '--manifest', manifest);
      expect(run.code).toBe(1);
      expect(run.fails).toEqual(['/integrity.json', '/integrity.json']);
      expect(run.stdout).toContain('FAIL  /integrity.json  the served manifest is not JSON');
      expect(run.stdout).toContain('PASS  /assets/worker-b2.js');
    } finally {
      await other.close();
    }
  });

  it('prints its usage and exits 0 when asked for help', async () => {
    const run = await verify('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: sealroom-verify <https://host>');
  });

  it('refuses a reference manifest that is not a manifest, with exit code 2', async () => {
    const bad = path.join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, algorithm: 'sha256', files: { '/index.html': 'short' } }));
    const run = await verify(server.base, '--manifest', bad);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('has a bad entry for /index.html');
    writeFileSync(bad, '<html>');
    expect((await verify(server.base, '--manifest', bad)).stderr).toContain('is not JSON');
  });
});
