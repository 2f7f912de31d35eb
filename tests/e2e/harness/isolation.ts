// Running something inside a private network namespace that holds only loopback, with a loopback
// LiveKit: used by the e2e runner (run.ts) and by the browser benchmark (bench/run.ts).
// Outside, `reenterIsolated` re-runs the current script under `unshare`; inside, `withIsolatedLiveKit`
// brings lo up, proves it is alone, starts LiveKit, puts its URL and keys in the environment, runs
// the body and stops LiveKit whatever happens.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startLiveKit, type LiveKitHandle } from '../../../scripts/livekit/process';
import { assertLoopbackOnly, bringLoopbackUp, namespaceProblem, NETNS_MARKER, unshareArgs } from './netns';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function runChild(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: ROOT, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : 15)));
  });
}

/** Re-run `script` (with `args`) inside a fresh network namespace; resolves with its exit code. */
export async function reenterIsolated(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const problem = await namespaceProblem();
  if (problem !== undefined) throw new Error(problem);
  console.log(`[isolated] entering a private network namespace: unshare ${unshareArgs().join(' ')}`);
  return runChild('unshare', [...unshareArgs(), '--', process.execPath, ...process.execArgv, script, ...args], { ...process.env, ...env, [NETNS_MARKER]: '1' });
}

/** Inside the namespace: loopback up and alone, LiveKit started for the duration of `body`. */
export async function withIsolatedLiveKit<T>(body: (livekit: LiveKitHandle) => Promise<T>): Promise<T> {
  await bringLoopbackUp();
  assertLoopbackOnly();
  console.log('[isolated] namespace holds only lo, which carries 127.0.0.1');
  const livekit = await startLiveKit({ ...(process.env['LIVEKIT_SERVER_BIN'] ? { binary: process.env['LIVEKIT_SERVER_BIN'] } : {}) });
  console.log(`[isolated] LiveKit ready in ${livekit.readyMs} ms at ${livekit.url} (pid ${livekit.pid})`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void livekit.stop().finally(() => process.exit(130)));
  }
  Object.assign(process.env, { LIVEKIT_URL: livekit.url, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret });
  try {
    return await body(livekit);
  } finally {
    await livekit.stop();
  }
}
