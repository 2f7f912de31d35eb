// A throwaway Debian `redis-server` for cluster tests: bound to 127.0.0.1 on a free port, its data
// in a new temp dir (mode 0700), no config file, protected mode on. Ready once it answers PING.
// It dies with its parent (setpriv's parent-death signal, as scripts/livekit/process.ts does), and
// stop() removes its dir unless the caller passed its own (to restart on the same data).
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPorts } from '../../../scripts/livekit/ports';

const REDIS_SERVER_PATH = '/usr/bin/redis-server';
const SETPRIV = '/usr/bin/setpriv';
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

export interface RedisOptions {
  /** Data dir to use and keep (e.g. to restart on the same AOF); a fresh temp dir otherwise, removed on stop. */
  dir?: string;
  /** Append-only file with fsync on every write (what durable rooms need); off by default. */
  appendOnly?: boolean;
  /** Defaults to a free loopback port. */
  port?: number;
}

export interface RedisHandle {
  /** 127.0.0.1:<port>, LiveKit's `redis.address`. */
  readonly address: string;
  /** redis://127.0.0.1:<port>, for a client such as node-redis. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  readonly logFile: string;
  /** SIGTERM (Redis saves nothing without AOF, so this is quick), SIGKILL after 5 s. Safe to call twice. */
  stop(): Promise<void>;
}

/** Sends PING and resolves true on +PONG. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString('latin1').startsWith('+PONG')));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function spawnRedis(args: string[], logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    const [file, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', REDIS_SERVER_PATH, ...args]] : [REDIS_SERVER_PATH, args];
    return spawn(file, argv, { stdio: ['ignore', log, log], detached: true });
  } finally {
    closeSync(log);
  }
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisHandle> {
  if (!existsSync(REDIS_SERVER_PATH)) throw new Error(`${REDIS_SERVER_PATH} not found: the cluster tests need Debian's redis-server (apt-get install redis-server)`);
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'sealroom-redis-')));
  const port = options.port ?? (await freeLoopbackPorts(1))[0]!;
  const logFile = join(dir, 'redis.log');
  // Everything on the command line: no config file is read, so nothing outside `dir` is touched.
  const args = [
    '--bind', '127.0.0.1',
    '--port', String(port),
    '--protected-mode', 'yes',
    '--dir', dir,
    '--save', '',
    '--appendonly', options.appendOnly === true ? 'yes' : 'no',
    '--appendfsync', 'always',
    '--daemonize', 'no',
    '--loglevel', 'warning',
  ];
  const child = spawnRedis(args, logFile);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.once('error', () => undefined);
  const killOnParentExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', killOnParentExit);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const forced = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exit;
        clearTimeout(forced);
      }
      process.off('exit', killOnParentExit);
      if (ownDir) await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await pings(port))) {
    if (exited || Date.now() > deadline) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      await stop();
      throw new Error(`redis-server on 127.0.0.1:${port} ${exited ? 'exited' : `did not answer PING within ${READY_TIMEOUT_MS} ms`}. Its log:\n${log.slice(-2_000)}`);
    }
    await sleep(50);
  }
  return { address: `127.0.0.1:${port}`, url: `redis://127.0.0.1:${port}`, port, pid: child.pid ?? -1, dir, logFile, stop };
}
