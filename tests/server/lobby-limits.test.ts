// Lobby places and the sync budget against a real server (decision 0017): places are counted per
// client address and per IPv6 /64, a closed socket frees its place at once, the host can clear the
// lobby, and `sync` has a budget of its own per socket. Each was an attack on the first version:
// 100 idle lobby sockets from one address filled the lobby, and every real guest got 503 for 120 s
// after they dropped; a 40-byte `sync` could be repeated 20 times a second.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LOBBY_PARTICIPANTS, MAX_LOBBY_PER_64, MAX_LOBBY_PER_ADDRESS, PARTICIPANT_OVERHEAD_BYTES, ROOM_OVERHEAD_BYTES, SYNC_BURST } from '../../protocol/limits';
import { CloseCode, wsSubprotocols } from '../../protocol/protocol';
import { admitGuest, closeAllClients, createRoom, refusal, startTestServer, TestClient, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ trustProxy: true });
});
afterEach(closeAllClients);
afterAll(() => t.close());

const lobbyFrom = async (roomId: string, token: string, options: { localAddress?: string; headers?: Record<string, string> }) => {
  const c = await TestClient.connect(t.base, roomId, token, options);
  await c.next('welcome');
  return c;
};
const status = async (roomId: string, token: string, options: { localAddress?: string; headers?: Record<string, string> }) => {
  try {
    await (await TestClient.connect(t.base, roomId, token, options)).close();
    return 101;
  } catch (error) {
    return Number(/refused with (\d+)/.exec(String(error))?.[1] ?? 0);
  }
};

describe('lobby places ([L1], [L2], [L3])', () => {
  it(`[L1] gives one address at most ${MAX_LOBBY_PER_ADDRESS} lobby places; other addresses still get in`, async () => {
    const room = await createRoom(t.base);
    const one = { localAddress: '127.4.0.2' };
    await Promise.all(Array.from({ length: MAX_LOBBY_PER_ADDRESS }, () => lobbyFrom(room.roomId, room.accessToken, one)));
    expect(await status(room.roomId, room.accessToken, one)).toBe(503);
    expect(await status(room.roomId, room.accessToken, { localAddress: '127.4.0.3' })).toBe(101);
  });

  it(`[L1] gives one IPv6 /64 at most ${MAX_LOBBY_PER_64} lobby places, whichever addresses inside it it uses`, async () => {
    const room = await createRoom(t.base);
    const inNet = (i: number) => ({ localAddress: `127.4.1.${2 + (i % 200)}`, headers: { 'x-forwarded-for': `2001:db8:aa:bb::${(i + 1).toString(16)}` } });
    await Promise.all(Array.from({ length: MAX_LOBBY_PER_64 }, (_, i) => lobbyFrom(room.roomId, room.accessToken, inNet(i))));
    expect(await status(room.roomId, room.accessToken, inNet(MAX_LOBBY_PER_64 + 7))).toBe(503);
    expect(await status(room.roomId, room.accessToken, { headers: { 'x-forwarded-for': '2001:db8:aa:cc::1' } })).toBe(101);
  });

  it('[L2] frees the places of closed lobby sockets at once, not after the lobby grace', async () => {
    const room = await createRoom(t.base);
    const from = (i: number) => ({ localAddress: `127.4.2.${2 + (i % 10)}` });
    const idle = await Promise.all(Array.from({ length: MAX_LOBBY_PARTICIPANTS }, (_, i) => lobbyFrom(room.roomId, room.accessToken, from(i))));
    const guest = { localAddress: '127.4.3.2' };
    expect(await status(room.roomId, room.accessToken, guest)).toBe(503);
    await Promise.all(idle.map((c) => c.close(CloseCode.goingAway))); // dropped, not left: they could still resume
    const real = await lobbyFrom(room.roomId, room.accessToken, guest);
    expect(real.received.some((m) => m.type === 'welcome')).toBe(true);
  });

  it('[L3] lets the host clear the lobby: every lobby socket is closed with 4401 and the places are free', async () => {
    const room = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    await host.next('welcome');
    const { guest: member } = await admitGuest(t.base, room, host);
    const from = (i: number) => ({ localAddress: `127.4.4.${2 + (i % 10)}` });
    const idle = await Promise.all(Array.from({ length: MAX_LOBBY_PARTICIPANTS }, (_, i) => lobbyFrom(room.roomId, room.accessToken, from(i))));
    idle[0]!.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    await host.next('knock');
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(room.accessToken))).status).toBe(503);
    // Only the host may clear it.
    member.send({ v: 1, type: 'clear-lobby' });
    expect(await member.next('error')).toMatchObject({ code: 'not-allowed', ref: 'clear-lobby' });
    host.send({ v: 1, type: 'clear-lobby' });
    expect(new Set(await Promise.all(idle.map((c) => c.closeCode())))).toEqual(new Set([CloseCode.denied]));
    expect((await host.until('presence', (p) => p.lobby === 0)).lobby).toBe(0);
    expect(member.ws.readyState).toBe(member.ws.OPEN);
    expect(await status(room.roomId, room.accessToken, { localAddress: '127.4.5.2' })).toBe(101);
  });
});

describe('memory budget ([R2])', () => {
  it('[R2] refuses new lobby sockets (503) once the rooms hold the server budget, counting each participant', async () => {
    const own = await startTestServer({ maxStoredBytes: ROOM_OVERHEAD_BYTES + 3 * PARTICIPANT_OVERHEAD_BYTES });
    try {
      const room = await createRoom(own.base);
      const from = (i: number) => ({ localAddress: `127.4.7.${2 + i}` });
      for (let i = 0; i < 3; i++) await (await TestClient.connect(own.base, room.roomId, room.accessToken, from(i))).next('welcome');
      expect((await refusal(own.base, `/ws/${room.roomId}`, wsSubprotocols(room.accessToken))).status).toBe(503);
    } finally {
      await own.close();
    }
  });
});

describe('sync budget ([R3])', () => {
  it(`answers at most a burst of ${SYNC_BURST} syncs per socket, the rest with rate-limited, and keeps the socket`, async () => {
    const room = await createRoom(t.base);
    const c = await lobbyFrom(room.roomId, room.accessToken, { localAddress: '127.4.6.2' });
    for (let i = 0; i < 40; i++) c.send({ v: 1, type: 'sync' });
    const served = () => c.received.filter((m) => m.type === 'commits').length;
    const limited = () => c.received.filter((m) => m.type === 'error' && m.code === 'rate-limited' && m.ref === 'sync').length;
    // Every sync gets one answer; wait for all 40 (a liveness bound, not a speed claim).
    for (const deadline = Date.now() + 20_000; served() + limited() < 40; ) {
      if (Date.now() > deadline) throw new Error(`only ${served() + limited()} of 40 syncs answered`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(served()).toBeGreaterThanOrEqual(SYNC_BURST);
    expect(served()).toBeLessThan(SYNC_BURST + 5);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });
});
