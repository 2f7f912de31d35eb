// The plumbing of the benchmarks that run in a browser's dedicated Worker (bench/worker.ts,
// bench/signatures.ts): build one Worker entry with Vite into a temp dir, serve it from 127.0.0.1
// with cross-origin isolation (so the Worker's clock is fine-grained) next to a page that posts a
// job to it and hands back its results. No LiveKit, no namespace.
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { build } from 'vite';

const ROOT = join(import.meta.dirname, '..');

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>worker bench</title></head><body>
<script type="module">
window.runJob = (job) => new Promise((resolve, reject) => {
  const worker = new Worker('/worker.js', { type: 'module' });
  worker.onmessage = (event) => { worker.terminate(); event.data.ok ? resolve(event.data.results) : reject(new Error(event.data.error)); };
  worker.onerror = (event) => reject(new Error('worker error: ' + event.message));
  worker.postMessage(job);
});
</script></body></html>`;

export interface WorkerPage {
  /** http://127.0.0.1:<port>/ serves the page, /worker.js the built entry. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Build `entry` (a path under the repository) and serve it; close() stops the server and removes the build. */
export async function serveWorker(entry: string, outDir: string): Promise<WorkerPage> {
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    publicDir: false,
    build: { outDir, emptyOutDir: true, target: 'es2022', minify: 'esbuild', lib: { entry: join(ROOT, entry), formats: ['es'], fileName: () => 'worker.js' } },
  });
  const worker = await readFile(join(outDir, 'worker.js'));
  const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin', 'cache-control': 'no-store' };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') response.writeHead(200, { ...isolation, 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    else if (path === '/worker.js') response.writeHead(200, { ...isolation, 'content-type': 'text/javascript; charset=utf-8' }).end(worker);
    else response.writeHead(404, isolation).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the bench server has no TCP address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

export interface Evaluator {
  goto(url: string): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
}

/** Open the page in `page`, run `job` in a fresh Worker, and return its results. */
export async function runJob<Result>(page: Evaluator, origin: string, job: unknown): Promise<{ isolated: boolean; results: Result }> {
  await page.goto(`${origin}/`);
  const isolated = (await page.evaluate('globalThis.crossOriginIsolated === true')) as boolean;
  const results = (await page.evaluate(`window.runJob(${JSON.stringify(job)})`)) as Result;
  return { isolated, results };
}
