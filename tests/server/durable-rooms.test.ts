// Rooms on Redis survive the signaling server and Redis itself restarting: the host credential,
// the link's access token and every resume token keep working, members carry on in the same epoch,
// and a stored record that is garbled or lies gives a clear error instead of a crash.
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { wsSubprotocols } from '../../protocol/protocol';
import { roomKeys, StoreUnreachableError } from '../../server/redis-store';
import { admitGuest, closeAllClients, createRoom, refusal, startTestServer, TestClient, unusedPort, type CreatedRoom, type TestServer } from './helpers';
import { startTestRedis, stopAll, type TestRedis } from './cluster-kit';

let redis: TestRedis;
const servers: TestServer[] = [];

async function node(): Promise<TestServer> {
  const s = await startTestServer({}, { REDIS_URL: redis.url });
  servers.push(s);
  return s;
}

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  await closeAllClients();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(stopAll);

const status = (base: string, roomId: string, bearer: string) => fetch(`${base}/api/rooms/${roomId}`, { headers: { authorization: `Bearer ${bearer}` } });

/** A room with its host and one admitted guest, and epoch 0 committed. */
async function call(base: string): Promise<{ room: CreatedRoom; host: TestClient; hostResume: string; guest: TestClient; guestId: string; guestResume: string }> {
  const room = await createRoom(base, 'c2VhbGVkLWluZm8');
  const host = await TestClient.connect(base, room.roomId, room.hostCredential);
  const hostResume = (await host.next('welcome')).resumeToken;
  const { guest, id, resumeToken } = await admitGuest(base, room, host);
  host.send({ v: 1, type: 'commit', epoch: 0, commit: 'Y29tbWl0LTA', envelopes: { [id]: 'ZW52LTA' } });
  expect(await guest.next('commit')).toMatchObject({ epoch: 0, envelope: 'ZW52LTA' });
  return { room, host, hostResume, guest, guestId: id, guestResume: resumeToken };
}

/** Host and guest come back with their resume tokens and the host commits the next epoch. */
async function carryOn(base: string, c: Awaited<ReturnType<typeof call>>, epochs: number[]): Promise<void> {
  const guest = await TestClient.connect(base, c.room.roomId, c.guestResume);
  const welcome = await guest.next('welcome');
  expect(welcome).toMatchObject({ participantId: c.guestId, role: 'member' });
  guest.send({ v: 1, type: 'sync' });
  const sync = await guest.next('commits');
  expect(sync.commits.map((x) => x.epoch)).toEqual(epochs);
  expect(sync.commits[0]).toMatchObject({ epoch: 0, envelope: 'ZW52LTA' });
  const host = await TestClient.connect(base, c.room.roomId, c.hostResume);
  expect(await host.next('welcome')).toMatchObject({ role: 'host' });
  const next = epochs.at(-1)! + 1;
  host.send({ v: 1, type: 'commit', epoch: next, commit: 'Y29tbWl0LW4', envelopes: { [c.guestId]: 'ZW52LW4' } });
  expect(await guest.next('commit')).toMatchObject({ epoch: next, envelope: 'ZW52LW4' });
}

describe('durable rooms on redis', () => {
  it('refuses to start with a clear message, without the password, when REDIS_URL cannot be reached', async () => {
    const port = await unusedPort();
    const start = startTestServer({}, { REDIS_URL: `redis://:hunter2@127.0.0.1:${port}` });
    await expect(start).rejects.toThrow(StoreUnreachableError);
    await expect(start).rejects.toThrow(new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    await expect(start).rejects.not.toThrow(/hunter2/);
  });

  it('keeps a room across a signaling restart: host credential, link, resume tokens, same epoch', async () => {
    const a = await node();
    const c = await call(a.base);
    await a.close();
    await Promise.all([c.host.closed, c.guest.closed]);
    servers.splice(servers.indexOf(a), 1);

    const b = await node();
    expect((await status(b.base, c.room.roomId, c.room.accessToken)).status).toBe(200);
    expect(await (await status(b.base, c.room.roomId, c.room.hostCredential)).json()).toMatchObject({ roomId: c.room.roomId, info: 'c2VhbGVkLWluZm8', locked: false });
    await carryOn(b.base, c, [0]);
    // The host credential itself still opens the room as its host (proving the same host key).
    const again = await TestClient.connect(b.base, c.room.roomId, c.room.hostCredential);
    expect(await again.next('welcome')).toMatchObject({ role: 'host' });
    // And the link still lets a newcomer into the lobby.
    const newcomer = await TestClient.connect(b.base, c.room.roomId, c.room.accessToken);
    expect(await newcomer.next('welcome')).toMatchObject({ role: 'lobby' });
  });

  it('loses nothing when redis is killed and restarted from its append-only file', async () => {
    const a = await node();
    const c = await call(a.base);
    c.host.send({ v: 1, type: 'lock', locked: true });
    await c.guest.until('locked', (m) => m.locked);
    await redis.kill();
    redis = await startTestRedis(redis.dir, redis.port);
    // The node reconnects on its own; the next commit is stored (and then relayed) once it has.
    c.host.send({ v: 1, type: 'commit', epoch: 1, commit: 'Y29tbWl0LTE', envelopes: { [c.guestId]: 'ZW52LTE' } });
    expect(await c.guest.next('commit')).toMatchObject({ epoch: 1 });
    await a.close();
    await Promise.all([c.host.closed, c.guest.closed]);
    servers.splice(servers.indexOf(a), 1);

    const b = await node();
    expect(await (await status(b.base, c.room.roomId, c.room.accessToken)).json()).toMatchObject({ locked: true });
    await carryOn(b.base, c, [0, 1]);
  });

  it('relays no commit and welcomes no one before the change is stored', async () => {
    const a = await node();
    const c = await call(a.base);
    process.kill(redis.pid, 'SIGSTOP'); // Redis stalls: every write waits
    let late: Promise<TestClient>;
    try {
      c.host.send({ v: 1, type: 'commit', epoch: 1, commit: 'Y29tbWl0LTE', envelopes: { [c.guestId]: 'ZW52LTE' } });
      late = TestClient.connect(a.base, c.room.roomId, c.room.accessToken);
      expect(await c.guest.nothing('commit', 300)).toBe(true);
      // The upgrade first confirms the lease in Redis, so it may still be waiting; if it opened,
      // no welcome came with it (its resume token is not stored yet).
      const early = await Promise.race([late, new Promise<undefined>((resolve) => setTimeout(resolve, 300))]);
      if (early !== undefined) expect(await early.nothing('welcome', 1)).toBe(true);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    const lobby = await late;
    expect(await c.guest.next('commit')).toMatchObject({ epoch: 1 });
    expect(await lobby.next('welcome')).toMatchObject({ role: 'lobby' });
  });

  it('answers a garbled or lying stored record with a clear error, and keeps serving other rooms', async () => {
    const a = await node();
    const garbled = await createRoom(a.base);
    const lying = await createRoom(a.base);
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      await client.hSet(roomKeys(garbled.roomId).room, 'state', '{"v":1,"id":');
      const text = (await client.hGet(roomKeys(lying.roomId).room, 'state'))!;
      await client.hSet(roomKeys(lying.roomId).room, 'state', text.replace('"hostId":null', `"hostId":"${'A'.repeat(22)}"`));
    } finally {
      await client.close();
    }
    const b = await node(); // reads the store: it does not serve these rooms yet
    const res = await status(b.base, garbled.roomId, garbled.accessToken);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { message: string }).message).toMatch(new RegExp(`stored record of room ${garbled.roomId} is unreadable: not JSON`));
    const refused = await refusal(b.base, `/ws/${lying.roomId}`, wsSubprotocols(lying.accessToken));
    expect(refused.status).toBe(500);
    expect(refused.body).toMatch(/unreadable: hostId does not match/);
    // The node is still up and serves a sound room.
    const sound = await createRoom(b.base);
    const host = await TestClient.connect(b.base, sound.roomId, sound.hostCredential);
    expect(await host.next('welcome')).toMatchObject({ role: 'host' });
  });
});
