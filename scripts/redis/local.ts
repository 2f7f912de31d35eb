// `npm start`'s room store when REDIS_URL is not set (decision 0020): Debian's redis-server, run
// by us on 127.0.0.1 with its append-only file in $XDG_STATE_HOME/sealroom/redis (default
// ~/.local/state/sealroom/redis), so rooms, links and host credentials survive a restart. Without
// a redis-server the rooms live in the server's memory only, and we say so.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { findRedisServer, REDIS_SERVER_CANDIDATES, RedisStartError, startRedis } from './process';

export interface LocalRedis {
  /** The REDIS_URL to give the server, when a store outside the process is used. */
  readonly url: string | undefined;
  /** One line saying where rooms are kept, printed at start. */
  readonly message: string;
  readonly exited: Promise<unknown> | undefined;
  stop(): Promise<void>;
  logTail(lines: number): Promise<string>;
}

export function stateDir(env: Record<string, string | undefined>): string {
  const base = env['XDG_STATE_HOME'] !== undefined && env['XDG_STATE_HOME'] !== '' ? env['XDG_STATE_HOME'] : path.join(homedir(), '.local', 'state');
  return path.join(base, 'sealroom', 'redis');
}

/** Where a REDIS_URL points, without its password. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'REDIS_URL';
  }
}

/** A redis-server of an earlier run still holding this data dir (its pid file names a live process). */
async function stillRunning(pidFile: string): Promise<number | null> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return cmdline.includes('redis-server') ? pid : null;
  } catch {
    return null;
  }
}

export async function localRedis(env: Record<string, string | undefined>, candidates: readonly string[] = REDIS_SERVER_CANDIDATES): Promise<LocalRedis> {
  const none = { exited: undefined, stop: () => Promise.resolve(), logTail: () => Promise.resolve('') };
  if (env['REDIS_URL'] !== undefined && env['REDIS_URL'] !== '') {
    return { ...none, url: undefined, message: `rooms: stored in Redis at ${redactedUrl(env['REDIS_URL'])}, shared with every node that uses it` };
  }
  const binary = findRedisServer(candidates);
  if (binary === null) {
    return {
      ...none,
      url: undefined,
      message:
        'rooms: in this process only — redis-server is not installed, so rooms, links and host credentials are lost when Sealroom stops.\n' +
        '       Install it (Debian: sudo apt install redis-server) to keep them across restarts, or set REDIS_URL.',
    };
  }
  const dir = stateDir(env);
  const pid = await stillRunning(path.join(dir, 'redis.pid'));
  if (pid !== null) throw new RedisStartError(`a redis-server of an earlier Sealroom run (pid ${pid}) still uses ${dir}; stop it (kill ${pid}) and start again`);
  const redis = await startRedis({ dir, binary, pidFile: path.join(dir, 'redis.pid') });
  return {
    url: redis.url,
    message: `rooms: stored by a local redis-server on ${redis.url.replace('redis://', '')} (append-only file in ${dir}; log: ${redis.logFile})`,
    exited: redis.exited,
    stop: () => redis.stop(),
    logTail: (lines) => redis.logTail(lines),
  };
}
