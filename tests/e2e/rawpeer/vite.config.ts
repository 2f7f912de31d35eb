// Vite build of the raw LiveKit peer (tests/e2e/rawpeer), a test-only page. Built once per e2e run by
// tests/e2e/harness/prepare.ts into RAWPEER_DIST, under the OS temp dir (never in the repo), and
// served from there by tests/e2e/harness/rawpeer.ts.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vite';

export const RAWPEER_DIST = join(tmpdir(), 'sealroom-e2e-rawpeer');

const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root,
  publicDir: false,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: RAWPEER_DIST,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // livekit-client alone is ~0.5 MB.
    chunkSizeWarningLimit: 1500,
  },
  worker: { format: 'es' },
});
