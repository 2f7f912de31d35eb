// A local redis-server (Debian's), as `npm start` runs it when no REDIS_URL is set and as the
// server tests run it: bound to 127.0.0.1 only, on its own port, its data (an append-only file,
// fsync'd on every write) in a directory of its own, no RDB snapshots, stopped with its parent.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import path from 'node:path';

export const REDIS_SERVER_CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

export class RedisStartError extends Error {
  override name = 'RedisStartError';
}

export interface RedisHandle {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly logFile: string;
  /** Its process id (tests pause it with SIGSTOP). */
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (redis writes its AOF and exits), resolved once it has. */
  stop(): Promise<void>;
  /** SIGKILL: nothing is flushed beyond what each write already fsync'd. */
  kill(): Promise<void>;
  logTail(lines: number): Promise<string>;
}

/** The redis-server binary, or null when none is installed. */
export function findRedisServer(candidates: readonly string[] = REDIS_SERVER_CANDIDATES): string | null {
  return candidates.find((c) => existsSync(c)) ?? null;
}

export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new RedisStartError('no free port');
  return address.port;
}

/** One PING over a raw socket: resolves true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setTimeout(1000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const READY_WITHIN_MS = 10_000;

export async function startRedis(options: { dir: string; port?: number; binary?: string; pidFile?: string }): Promise<RedisHandle> {
  const binary = options.binary ?? findRedisServer();
  if (binary === null) throw new RedisStartError('redis-server is not installed (Debian: apt install redis-server)');
  const port = options.port ?? (await freeLoopbackPort());
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const logFile = path.join(options.dir, 'redis.log');
  const log = await open(logFile, 'a');
  const args = [
    '--bind', '127.0.0.1',
    '--port', String(port),
    '--protected-mode', 'yes',
    '--dir', options.dir,
    '--appendonly', 'yes',
    '--appendfsync', 'always',
    '--save', '',
    '--daemonize', 'no',
    '--logfile', '',
    ...(options.pidFile !== undefined ? ['--pidfile', options.pidFile] : []),
  ];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', log.fd, log.fd] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      void log.close();
      resolve({ code, signal });
    });
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const logTail = async (lines: number) => (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-lines - 1).join('\n');
  const deadline = Date.now() + READY_WITHIN_MS;
  let exit: { code: number | null } | undefined;
  void exited.then((e) => (exit = e));
  for (;;) {
    if (exit !== undefined) throw new RedisStartError(`redis-server exited at start (code ${String(exit.code)}); its log:\n${await logTail(20)}`);
    if (await ping(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RedisStartError(`redis-server did not answer on 127.0.0.1:${port} within ${READY_WITHIN_MS} ms; its log:\n${await logTail(20)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const end = async (signal: NodeJS.Signals) => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url: `redis://127.0.0.1:${port}`, port, dir: options.dir, logFile, pid: child.pid ?? 0, exited, stop: () => end('SIGTERM'), kill: () => end('SIGKILL'), logTail };
}
