// `npm start`: build the client, pick a LiveKit (the one named by LIVEKIT_URL/LIVEKIT_API_KEY/
// LIVEKIT_API_SECRET, or an embedded loopback one), pick a room store (REDIS_URL, or a local
// redis-server under ~/.local/state/sealroom when Debian's is installed, or this process's memory;
// docs/decisions/0020-durable-rooms-and-room-owners.md), run the Sealroom server in this process,
// and on Ctrl-C or SIGTERM stop the server, then Redis and LiveKit, leaving no process behind.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../server/app';
import { ConfigError, loadConfig } from '../server/config';
import { StoreUnreachableError } from '../server/redis-store';
import { ensureLiveKitBinary, LiveKitBinaryError } from './livekit/binary';
import { type LiveKitHandle, LiveKitStartError, startLiveKit } from './livekit/process';
import { type LocalRedis, localRedis } from './redis/local';
import { RedisStartError } from './redis/process';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIVEKIT_VARS = ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'] as const;

class StartError extends Error {
  override name = 'StartError';
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function buildClient(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new StartError(`client build failed (exit code ${String(code)})`))));
  });
}

/** The operator's LiveKit when all three variables are set, none when none are; anything else is an error. */
function externalLiveKit(env: NodeJS.ProcessEnv): Record<(typeof LIVEKIT_VARS)[number], string> | undefined {
  const missing = LIVEKIT_VARS.filter((name) => !env[name]);
  if (missing.length === LIVEKIT_VARS.length) return undefined;
  if (missing.length > 0) {
    throw new StartError(
      `set all of ${LIVEKIT_VARS.join(', ')} to use your own LiveKit, or none to run one locally; missing: ${missing.join(', ')}`,
    );
  }
  return { LIVEKIT_URL: env['LIVEKIT_URL']!, LIVEKIT_API_KEY: env['LIVEKIT_API_KEY']!, LIVEKIT_API_SECRET: env['LIVEKIT_API_SECRET']! };
}

async function main(): Promise<void> {
  const external = externalLiveKit(process.env);

  const started = performance.now();
  await buildClient();
  console.log(`client built in ${seconds(started)}`);

  let livekit: LiveKitHandle | undefined;
  let redis: LocalRedis | undefined;
  let server: RunningServer | undefined;
  let stopping = false;
  const shutDown = async (code: number): Promise<never> => {
    stopping = true;
    await server?.close().catch((error: unknown) => console.error(`server close failed: ${String(error)}`));
    await redis?.stop();
    await livekit?.stop();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) {
        console.log('stopping at once');
        process.exit(1); // the 'exit' hook in scripts/livekit/process.ts kills LiveKit
      }
      console.log(`\n${signal}: stopping Sealroom…`);
      void shutDown(0);
    });
  }

  let env: Record<string, string | undefined>;
  if (external !== undefined) {
    console.log(`using LiveKit at ${external.LIVEKIT_URL}`);
    env = { ...process.env, ...external };
  } else {
    const binary = await ensureLiveKitBinary();
    livekit = await startLiveKit({ binary });
    console.log(`LiveKit ${livekit.url} ready in ${livekit.readyMs} ms (log: ${livekit.logFile})`);
    const handle = livekit;
    void handle.exited.then(async (exit) => {
      if (stopping) return;
      console.error(`LiveKit exited unexpectedly (code ${String(exit.code)}, signal ${String(exit.signal)}); its last log lines:`);
      console.error(await handle.logTail(30));
      await shutDown(1);
    });
    env = {
      ...process.env,
      LIVEKIT_URL: livekit.url,
      LIVEKIT_API_KEY: livekit.apiKey,
      LIVEKIT_API_SECRET: livekit.apiSecret,
      LIVEKIT_LOCAL: 'true',
    };
  }

  try {
    redis = await localRedis(env);
    console.log(redis.message);
    if (redis.url !== undefined) env = { ...env, REDIS_URL: redis.url };
    const handle = redis;
    void handle.exited?.then(async () => {
      if (stopping) return;
      console.error(`the local redis-server exited unexpectedly; its last log lines:\n${await handle.logTail(20)}`);
      await shutDown(1);
    });
    server = await startServer(loadConfig(env));
  } catch (error) {
    await redis?.stop();
    await livekit?.stop();
    throw error;
  }
  console.log(`Sealroom is running: open http://localhost:${server.port}/`);
}

try {
  await main();
} catch (error) {
  const known = error instanceof StartError || error instanceof ConfigError || error instanceof LiveKitBinaryError || error instanceof LiveKitStartError || error instanceof RedisStartError || error instanceof StoreUnreachableError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
}
