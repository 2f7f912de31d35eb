// The RoomStore on Redis (node-redis), shared by every node (server/room-store.ts has the rules).
//
//   sealroom:{<room>}:room    hash   state (room-record.ts JSON), live (connected sockets), epoch (last stored, -1: none)
//   sealroom:{<room>}:log     stream one entry per commit, entry id `<epoch>-1`, field c = commit JSON, MAXLEN MAX_LOG_COMMITS
//   sealroom:{<room>}:lease   string the owning node's id, SET ... PX leaseMs, renewed by the owner
//
// The `{<room>}` hash tag keeps one room's keys on one Redis Cluster slot, so each script below
// touches one slot. Every write is one Lua script that first checks the lease holds this node's
// id (fencing: a node whose lease expired while it was paused cannot write, whatever it believes),
// then checks a commit's epoch is exactly the next; XADD with an explicit id refuses an id at or
// below the stream's last one even after MAXLEN trimmed it away, a second wall behind the first.
// Record and log expire with the room's idle TTL, refreshed by each write and lease renewal.
import { createClient } from 'redis';
import { MAX_LOG_COMMITS } from '../protocol/limits';
import { encodeCommit } from './room-record';
import { type Claim, EpochRefusedError, FencedError, type LoadedRoom, type RoomStore, type SaveRequest, type StoreTiming } from './room-store';

const PREFIX = 'sealroom:';

export function roomKeys(roomId: string): { room: string; log: string; lease: string } {
  const tag = `${PREFIX}{${roomId}}`;
  return { room: `${tag}:room`, log: `${tag}:log`, lease: `${tag}:lease` };
}

/** KEYS room, lease · ARGV record, node, leaseMs, ttlMs */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'live', '0', 'epoch', '-1')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1`;

/** KEYS room, lease · ARGV node, leaseMs. Free or expired: SET NX PX; ours: extend; another's over no socket: take it. */
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'gone' end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'ours' end
if redis.call('GET', KEYS[2]) ~= ARGV[1] and redis.call('HGET', KEYS[1], 'live') ~= '0' then return 'busy' end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 'ours'`;

/** KEYS room, lease, log · ARGV node, record, live, ttlMs, epoch ('' = no commit), commit, maxlen */
const SAVE = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return redis.error_reply('FENCED') end
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('FENCED') end
if ARGV[5] ~= '' then
  local last = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
  if last == nil or tonumber(ARGV[5]) ~= last + 1 then return redis.error_reply('EPOCH') end
  redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[7], ARGV[5] .. '-1', 'c', ARGV[6])
  redis.call('HSET', KEYS[1], 'epoch', ARGV[5])
end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'live', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return 1`;

/** KEYS lease, room, log · ARGV node, leaseMs, ttlMs */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return 1`;

/** KEYS lease · ARGV node */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/** KEYS lease, room, log · ARGV node */
const REMOVE = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 1 end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED') end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1`;

/** Attempts to reach Redis at start before giving up; once connected, reconnects never stop. */
const START_ATTEMPTS = 3;

/** Where a Redis URL points, without its password (for messages). */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'REDIS_URL';
  }
}

function newClient(url: string, connected: () => boolean) {
  return createClient({
    url,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (retries: number, cause: Error) =>
        connected() ? Math.min(50 * 2 ** retries, 1000) : retries + 1 >= START_ATTEMPTS ? new Error(`cannot reach Redis at ${redact(url)}: ${cause.message}`) : 200,
    },
  });
}

type Client = ReturnType<typeof newClient>;

/** REDIS_URL names a Redis this node cannot reach at start. */
export class StoreUnreachableError extends Error {
  override readonly name = 'StoreUnreachableError';
}

/** A script's own refusal: Redis prefixes error_reply text with `ERR `. */
function refused(error: unknown, what: 'FENCED' | 'EPOCH'): boolean {
  return error instanceof Error && new RegExp(`^(ERR )?${what}\\b`).test(error.message);
}

export class RedisRoomStore implements RoomStore {
  readonly kind = 'redis';

  private constructor(
    private readonly client: Client,
    private readonly timing: StoreTiming,
  ) {}

  /** Connects before resolving, so a wrong REDIS_URL fails at start, not at the first room. */
  static async connect(url: string, timing: StoreTiming, onError: (error: Error) => void): Promise<RedisRoomStore> {
    let ready = false;
    const client = newClient(url, () => ready);
    client.on('error', onError);
    client.on('ready', () => (ready = true));
    try {
      await client.connect();
    } catch (error) {
      throw new StoreUnreachableError(error instanceof Error && error.message.startsWith('cannot reach') ? error.message : `cannot reach Redis at ${redact(url)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new RedisRoomStore(client, timing);
  }

  private eval(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.client.eval(script, { keys, arguments: args.map(String) });
  }

  async create(roomId: string, node: string, record: string): Promise<boolean> {
    const k = roomKeys(roomId);
    return (await this.eval(CREATE, [k.room, k.lease], [record, node, this.timing.leaseMs, this.timing.idleTtlMs])) === 1;
  }

  async claim(roomId: string, node: string): Promise<Claim> {
    const k = roomKeys(roomId);
    const answer = await this.eval(CLAIM, [k.room, k.lease], [node, this.timing.leaseMs]);
    return answer === 'ours' || answer === 'busy' ? answer : 'gone';
  }

  async load(roomId: string): Promise<LoadedRoom | null> {
    const k = roomKeys(roomId);
    const [hash, entries] = (await this.client.multi().hGetAll(k.room).xRange(k.log, '-', '+').exec()) as unknown as [Record<string, string>, { id: string; message: Record<string, string> }[]];
    if (hash === null || typeof hash !== 'object' || hash['state'] === undefined) return null;
    return {
      record: hash['state'],
      commits: (entries ?? []).map((e) => ({ epoch: e.id.endsWith('-1') ? e.id.slice(0, -2) : e.id, text: e.message['c'] ?? '' })),
      lastEpoch: hash['epoch'],
    };
  }

  async save(roomId: string, node: string, request: SaveRequest): Promise<void> {
    const k = roomKeys(roomId);
    const c = request.commit;
    try {
      await this.eval(SAVE, [k.room, k.lease, k.log], [node, request.record, request.live, this.timing.idleTtlMs, c === undefined ? '' : c.epoch, c === undefined ? '' : encodeCommit(c), MAX_LOG_COMMITS]);
    } catch (error) {
      if (refused(error, 'FENCED')) throw new FencedError(roomId);
      if (refused(error, 'EPOCH') || (error instanceof Error && /XADD/i.test(error.message))) throw new EpochRefusedError(roomId, c?.epoch ?? -1);
      throw error;
    }
  }

  async renew(roomId: string, node: string): Promise<boolean> {
    const k = roomKeys(roomId);
    return (await this.eval(RENEW, [k.lease, k.room, k.log], [node, this.timing.leaseMs, this.timing.idleTtlMs])) === 1;
  }

  async release(roomId: string, node: string): Promise<void> {
    await this.eval(RELEASE, [roomKeys(roomId).lease], [node]);
  }

  async remove(roomId: string, node: string): Promise<void> {
    const k = roomKeys(roomId);
    try {
      await this.eval(REMOVE, [k.lease, k.room, k.log], [node]);
    } catch (error) {
      if (refused(error, 'FENCED')) throw new FencedError(roomId);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
