// The Redis room store against a real redis-server: leases, fencing, next-epoch-only commits
// (and the stream's own refusal of a lower id after trimming), and records that lie.
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LOG_COMMITS } from '../../protocol/limits';
import { newId } from '../../server/credentials';
import { RedisRoomStore, roomKeys } from '../../server/redis-store';
import { decodeCommits, decodeRecord, encodeRecord, StoreRecordError } from '../../server/room-record';
import { EpochRefusedError, FencedError, MemoryRoomStore, type RoomStore } from '../../server/room-store';
import { Room } from '../../server/room';
import { startTestRedis, stopAll, until, type TestRedis } from './cluster-kit';

const LEASE_MS = 400;
const timing = { leaseMs: LEASE_MS, idleTtlMs: 60_000 };
let redis: TestRedis;
const stores: RedisRoomStore[] = [];

async function store(): Promise<RedisRoomStore> {
  const s = await RedisRoomStore.connect(redis.url, timing, () => undefined);
  stores.push(s);
  return s;
}

function sampleRoom(): Room {
  return new Room({ id: newId(), hostCredentialHash: new Uint8Array(32).fill(1), accessVerifier: new Uint8Array(32).fill(2), hostKey: new Uint8Array(32).fill(3), info: 'sealed', now: 1000 });
}

const commit = (epoch: number) => ({ epoch, commit: `commit-${epoch}`, envelopes: { AAAAAAAAAAAAAAAAAAAAAA: `env-${epoch}` } });

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await stopAll();
});

describe.each([
  ['redis', () => store()],
  ['memory', () => Promise.resolve(new MemoryRoomStore(timing))],
] as const)('the %s room store', (_kind, make) => {
  it('refuses a commit whose epoch is not exactly the next, and keeps the ones it took', async () => {
    const s: RoomStore = await make();
    const room = sampleRoom();
    expect(await s.create(room.id, 'n1', encodeRecord(room.durable()))).toBe(true);
    expect(await s.create(room.id, 'n1', encodeRecord(room.durable()))).toBe(false);
    const record = encodeRecord(room.durable());
    await s.save(room.id, 'n1', { record, live: 1, commit: commit(0) });
    await expect(s.save(room.id, 'n1', { record, live: 1, commit: commit(0) })).rejects.toBeInstanceOf(EpochRefusedError);
    await expect(s.save(room.id, 'n1', { record, live: 1, commit: commit(2) })).rejects.toBeInstanceOf(EpochRefusedError);
    await s.save(room.id, 'n1', { record, live: 1, commit: commit(1) });
    const loaded = await s.load(room.id);
    expect(decodeCommits(room.id, loaded!.commits, loaded!.lastEpoch).map((c) => c.epoch)).toEqual([0, 1]);
  });

  it('fences a node whose lease moved to another: its writes and its removal are refused', async () => {
    const s: RoomStore = await make();
    const room = sampleRoom();
    await s.create(room.id, 'stale', encodeRecord(room.durable()));
    await s.save(room.id, 'stale', { record: encodeRecord(room.durable()), live: 2 });
    expect(await s.claim(room.id, 'other')).toBe('busy'); // a live lease over connected sockets
    // The stale node stops renewing (paused): once its lease expires, the other node takes the room.
    await until('the lease to expire', async () => ((await s.claim(room.id, 'other')) === 'ours' ? true : undefined));
    await expect(s.save(room.id, 'stale', { record: encodeRecord(room.durable()), live: 2, commit: commit(0) })).rejects.toBeInstanceOf(FencedError);
    await expect(s.remove(room.id, 'stale')).rejects.toBeInstanceOf(FencedError);
    expect(await s.renew(room.id, 'stale')).toBe(false);
    await s.save(room.id, 'other', { record: encodeRecord(room.durable()), live: 1, commit: commit(0) });
    const loaded = await s.load(room.id);
    expect(decodeCommits(room.id, loaded!.commits, loaded!.lastEpoch).map((c) => c.commit)).toEqual(['commit-0']);
  });

  it('lets another node take a lease held over no connected socket at once', async () => {
    const s: RoomStore = await make();
    const room = sampleRoom();
    await s.create(room.id, 'creator', encodeRecord(room.durable()));
    expect(await s.claim(room.id, 'hashed')).toBe('ours');
    await expect(s.save(room.id, 'creator', { record: encodeRecord(room.durable()), live: 1 })).rejects.toBeInstanceOf(FencedError);
  });

  it('keeps the newest commits only, and still refuses an epoch it no longer holds', async () => {
    const s: RoomStore = await make();
    const room = sampleRoom();
    await s.create(room.id, 'n1', encodeRecord(room.durable()));
    const record = encodeRecord(room.durable());
    for (let e = 0; e < MAX_LOG_COMMITS + 4; e++) await s.save(room.id, 'n1', { record, live: 1, commit: commit(e) });
    const loaded = await s.load(room.id);
    const epochs = decodeCommits(room.id, loaded!.commits, loaded!.lastEpoch).map((c) => c.epoch);
    expect(epochs).toEqual(Array.from({ length: MAX_LOG_COMMITS }, (_, i) => i + 4));
    await expect(s.save(room.id, 'n1', { record, live: 1, commit: commit(1) })).rejects.toBeInstanceOf(EpochRefusedError);
  });
});

describe('the redis commit stream', () => {
  it('refuses an entry id below its last one even after MAXLEN trimmed that one away', async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const key = roomKeys(newId()).log;
      for (let e = 0; e < 12; e++) await client.xAdd(key, `${e}-1`, { c: 'x' }, { TRIM: { strategy: 'MAXLEN', threshold: MAX_LOG_COMMITS } });
      expect(await client.xLen(key)).toBe(MAX_LOG_COMMITS);
      await expect(client.xAdd(key, '3-1', { c: 'rewritten' })).rejects.toThrow(/equal or smaller/);
      await expect(client.xAdd(key, '11-1', { c: 'rewritten' })).rejects.toThrow(/equal or smaller/);
    } finally {
      await client.close();
    }
  });
});

describe('stored records', () => {
  it('round-trips a room: credentials, host key, members and commits', () => {
    const room = sampleRoom();
    room.locked = true;
    room.appendCommit(0, 'c0', { a: 'e' });
    const back = Room.restore(decodeRecord(room.id, encodeRecord(room.durable())), [{ epoch: 0, commit: 'c0', envelopes: { a: 'e' } }], 5000);
    expect(back.durable()).toEqual(room.durable());
    expect(back.log.lastEpoch).toBe(0);
  });

  it.each([
    ['not JSON', () => '{', /not JSON/],
    ['a hash of the wrong length', (t: string) => t.replace(/"hostKey":"[^"]+"/, '"hostKey":"AAAA"'), /hostKey: expected 32 bytes/],
    ['another room', (t: string) => t.replace(/"id":"[^"]+"/, `"id":"${newId()}"`), /names another room/],
    ['a host that is not a participant', (t: string) => t.replace(/"hostId":null/, `"hostId":"${newId()}"`), /hostId does not match/],
    ['an unknown version', (t: string) => t.replace(/"v":1/, '"v":9'), /v:/],
  ])('refuses a record with %s, naming the room', (_what, garble, message) => {
    const room = sampleRoom();
    const text = garble(encodeRecord(room.durable()));
    expect(() => decodeRecord(room.id, text)).toThrow(StoreRecordError);
    expect(() => decodeRecord(room.id, text)).toThrow(message);
    expect(() => decodeRecord(room.id, text)).toThrow(room.id);
  });

  it('refuses a commit log out of order, or one that disagrees with the last epoch', () => {
    const id = newId();
    const entry = (epoch: string) => ({ epoch, text: JSON.stringify({ commit: 'c', envelopes: {} }) });
    expect(() => decodeCommits(id, [entry('2'), entry('1')], '1')).toThrow(/not an epoch after 2/);
    expect(() => decodeCommits(id, [entry('1')], '5')).toThrow(/ends at 1, its last epoch says 5/);
    expect(() => decodeCommits(id, [{ epoch: '0', text: '{"commit":""}' }], '0')).toThrow(StoreRecordError);
    expect(decodeCommits(id, [entry('0'), entry('1')], '1').map((c) => c.epoch)).toEqual([0, 1]);
  });
});
