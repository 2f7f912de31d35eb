// Entry point of `npm run test:e2e`. Outside: prepare, then re-run this file in a private network
// namespace that holds only loopback. Inside: bring lo up, prove it is alone, start LiveKit, run
// `vitest --project e2e` with LiveKit's URL and keys in the environment, stop LiveKit, pass on the exit code.
// Extra arguments go to vitest: `npm run test:e2e -- tests/e2e/call.test.ts`.
import { spawn } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLiveKit } from '../../../scripts/livekit/process';
import { assertLoopbackOnly, bringLoopbackUp, isInsideNamespace, namespaceProblem, NETNS_MARKER, unshareArgs } from './netns';
import { prepare } from './prepare';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const VITEST = join(ROOT, 'node_modules', '.bin', 'vitest');

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function runChild(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: ROOT, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : 15)));
  });
}

async function outside(extra: string[]): Promise<number> {
  const started = performance.now();
  const { liveKitBinary } = await prepare();
  const problem = await namespaceProblem();
  if (problem !== undefined) throw new Error(problem);
  console.log(`[e2e] entering a private network namespace: unshare ${unshareArgs().join(' ')}`);
  const code = await runChild('unshare', [...unshareArgs(), '--', process.execPath, ...process.execArgv, SELF, ...extra], {
    ...process.env,
    [NETNS_MARKER]: '1',
    LIVEKIT_SERVER_BIN: liveKitBinary,
  });
  console.log(`[e2e] wall time ${seconds(started)}, exit code ${code}`);
  return code;
}

async function inside(extra: string[]): Promise<number> {
  await bringLoopbackUp();
  assertLoopbackOnly();
  console.log('[e2e] namespace holds only lo, which carries 127.0.0.1');

  const livekit = await startLiveKit({ ...(process.env['LIVEKIT_SERVER_BIN'] ? { binary: process.env['LIVEKIT_SERVER_BIN'] } : {}) });
  console.log(`[e2e] LiveKit ready in ${livekit.readyMs} ms at ${livekit.url} (pid ${livekit.pid})`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void livekit.stop().finally(() => process.exit(130)));
  }

  const started = performance.now();
  const code = await runChild(VITEST, ['run', '--project', 'e2e', ...extra], {
    ...process.env,
    LIVEKIT_URL: livekit.url,
    LIVEKIT_API_KEY: livekit.apiKey,
    LIVEKIT_API_SECRET: livekit.apiSecret,
  });
  console.log(`[e2e] vitest finished in ${seconds(started)} with exit code ${code}`);
  if (code !== 0) {
    const kept = join(ROOT, 'test-results', 'e2e-livekit.log');
    await mkdir(dirname(kept), { recursive: true });
    await copyFile(livekit.logFile, kept);
    console.log(`[e2e] last LiveKit log lines (all of it in ${kept}):\n${await livekit.logTail(15)}`);
  }
  await livekit.stop();
  return code;
}

const extra = process.argv.slice(2);
try {
  process.exitCode = isInsideNamespace() ? await inside(extra) : await outside(extra);
} catch (error) {
  console.error(`[e2e] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
