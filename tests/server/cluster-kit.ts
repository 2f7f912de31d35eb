// Test kit for durable rooms and several nodes, all on 127.0.0.1: a real redis-server in a temp
// dir (scripts/redis/process.ts, AOF on), Sealroom nodes as child processes (`tsx server/main.ts`,
// so a test can SIGKILL or SIGSTOP one), and HAProxy running deploy/haproxy.cfg with test ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis, type RedisHandle, freeLoopbackPort } from '../../scripts/redis/process';
import { API_KEY, API_SECRET, unusedPort } from './helpers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A liveness bound for child processes to come up: not a speed claim. */
const READY_MS = 90_000;

const cleanups: (() => Promise<void>)[] = [];

/** Stop everything this kit started. Call from afterEach/afterAll. */
export async function stopAll(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
}

export interface TestRedis extends RedisHandle {
  /** Stop (SIGTERM) and start again on the same port and data dir. */
  restart(): Promise<TestRedis>;
}

export async function startTestRedis(dir?: string, port?: number): Promise<TestRedis> {
  const own = dir ?? (await mkdtemp(path.join(tmpdir(), 'sealroom-redis-')));
  const handle = await startRedis({ dir: own, ...(port !== undefined ? { port } : {}) });
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await handle.kill();
    if (dir === undefined) await rm(own, { recursive: true, force: true });
  });
  return {
    ...handle,
    stop: async () => {
      stopped = true;
      await handle.stop();
    },
    kill: async () => {
      stopped = true;
      await handle.kill();
    },
    restart: async () => {
      stopped = true;
      await handle.stop();
      return startTestRedis(own, handle.port);
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, within = READY_MS): Promise<T> {
  const deadline = Date.now() + within;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${within} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface NodeProcess {
  readonly base: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly logFile: string;
  log(): Promise<string>;
  /** SIGKILL: no socket is closed, no lease given up. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful shutdown (sockets 1001, pending writes, leases released). */
  stop(): Promise<void>;
}

/** A Sealroom node in its own process, on `port` (default: a free one). */
export async function startNode(env: Record<string, string>, port?: number): Promise<NodeProcess> {
  const own = port ?? (await freeLoopbackPort());
  const dir = await mkdtemp(path.join(tmpdir(), 'sealroom-node-'));
  const logFile = path.join(dir, 'node.log');
  const log = await open(logFile, 'w');
  // `node --import tsx`, not the tsx CLI: one process, so SIGKILL and SIGSTOP reach the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', log.fd, log.fd],
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: String(own),
      HOST: '127.0.0.1',
      LIVEKIT_URL: `ws://127.0.0.1:${await unusedPort()}`,
      LIVEKIT_API_KEY: API_KEY,
      LIVEKIT_API_SECRET: API_SECRET,
      LIVEKIT_LOCAL: 'true',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => log.close());
  const read = () => readFile(logFile, 'utf8').catch(() => '');
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  cleanups.push(async () => {
    if (child.signalCode === 'SIGSTOP' || child.exitCode === null) child.kill('SIGCONT');
    await end('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  await until(`node on port ${own} listening`, async () => {
    if (child.exitCode !== null) throw new Error(`node exited at start:\n${await read()}`);
    return (await read()).includes('"server.listening"') ? true : undefined;
  });
  return { base: `http://127.0.0.1:${own}`, port: own, child, logFile, log: read, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

export interface Balancer {
  readonly base: string;
  stop(): Promise<void>;
}

/** HAProxy with deploy/haproxy.cfg, listening on a free loopback port, in front of two nodes. */
export async function startHaproxy(port: number, nodes: readonly [number, number]): Promise<Balancer> {
  const child = spawn('/usr/sbin/haproxy', ['-db', '-f', path.join(ROOT, 'deploy/haproxy.cfg')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', SEALROOM_LB_BIND: `127.0.0.1:${port}`, SEALROOM_NODE1: `127.0.0.1:${nodes[0]}`, SEALROOM_NODE2: `127.0.0.1:${nodes[1]}` },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  cleanups.push(stop);
  const base = `http://127.0.0.1:${port}`;
  await until('haproxy answering', async () => {
    if (child.exitCode !== null) throw new Error(`haproxy exited at start: ${stderr}`);
    return (await fetch(`${base}/api/health`).then((r) => r.ok || undefined, () => undefined)) ? true : undefined;
  });
  return { base, stop };
}

export { until, freeLoopbackPort };
