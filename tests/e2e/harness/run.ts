// Entry point of `npm run test:e2e`. Outside: prepare, then re-run this file in a private network
// namespace that holds only loopback. Inside: start LiveKit (isolation.ts), run
// `vitest --project e2e` with LiveKit's URL and keys in the environment, pass on the exit code.
// Extra arguments go to vitest: `npm run test:e2e -- tests/e2e/call.test.ts`.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reenterIsolated, ROOT, runChild, withIsolatedLiveKit } from './isolation';
import { isInsideNamespace } from './netns';
import { prepare } from './prepare';

const SELF = fileURLToPath(import.meta.url);
const VITEST = join(ROOT, 'node_modules', '.bin', 'vitest');

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

async function outside(extra: string[]): Promise<number> {
  const started = performance.now();
  const { liveKitBinary } = await prepare();
  const code = await reenterIsolated(SELF, extra, { LIVEKIT_SERVER_BIN: liveKitBinary });
  console.log(`[e2e] wall time ${seconds(started)}, exit code ${code}`);
  return code;
}

function inside(extra: string[]): Promise<number> {
  return withIsolatedLiveKit(async (livekit) => {
    const started = performance.now();
    const code = await runChild(VITEST, ['run', '--project', 'e2e', ...extra], process.env);
    console.log(`[e2e] vitest finished in ${seconds(started)} with exit code ${code}`);
    if (code !== 0) {
      const kept = join(ROOT, 'test-results', 'e2e-livekit.log');
      await mkdir(dirname(kept), { recursive: true });
      await copyFile(livekit.logFile, kept);
      console.log(`[e2e] last LiveKit log lines (all of it in ${kept}):\n${await livekit.logTail(15)}`);
    }
    return code;
  });
}

const extra = process.argv.slice(2);
try {
  process.exitCode = isInsideNamespace() ? await inside(extra) : await outside(extra);
} catch (error) {
  console.error(`[e2e] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
