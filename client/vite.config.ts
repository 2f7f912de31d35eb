// Vite build of the Sealroom web client. Root is client/; output goes to client/dist, which the
// server serves. In development, /api and /ws are proxied to a locally running signaling server
// (SEALROOM_DEV_SERVER, default http://127.0.0.1:8080). The build ends by adding Subresource
// Integrity to index.html and writing integrity.json (build/integrity-plugin.ts).
import { defineConfig, loadEnv } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { integrityPlugin } from './build/integrity-plugin';

const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, root, 'SEALROOM_');
  const target = env['SEALROOM_DEV_SERVER'] ?? 'http://127.0.0.1:8080';
  return {
    root,
    publicDir: 'public',
    plugins: [svelte({ configFile: false }), integrityPlugin()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      // libsodium carries its WebAssembly inline (~0.5 MB) and livekit-client is ~0.5 MB: one
      // chunk of about 1.2 MB is expected, not a mistake.
      chunkSizeWarningLimit: 1500,
    },
    worker: { format: 'es' },
    server: {
      host: '127.0.0.1',
      proxy: {
        '/api': { target, changeOrigin: false },
        '/ws': { target, ws: true, changeOrigin: false },
      },
    },
  };
});
