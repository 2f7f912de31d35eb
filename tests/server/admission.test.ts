// Knock, admit, deny, lock and the caps, end to end over real sockets.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, MAX_LOBBY, MAX_MEMBERS } from '../../protocol/protocol';
import { admitGuest, closeAllClients, createRoom, startTestServer, TestClient, type CreatedRoom, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterEach(closeAllClients);
afterAll(() => t.close());

async function host(room: CreatedRoom): Promise<{ host: TestClient; hostId: string }> {
  const h = await TestClient.connect(t.base, room.roomId, room.hostCredential);
  return { host: h, hostId: (await h.next('welcome')).participantId };
}

let guests = 0;
/** A lobby participant, each from its own loopback address (lobby places are counted per address). */
async function guest(room: CreatedRoom): Promise<{ guest: TestClient; id: string; resumeToken: string }> {
  const n = guests++;
  const g = await TestClient.connect(t.base, room.roomId, room.accessToken, { localAddress: `127.2.${Math.floor(n / 250) % 250}.${2 + (n % 250)}` });
  const w = await g.next('welcome');
  return { guest: g, id: w.participantId, resumeToken: w.resumeToken };
}

describe('knock', () => {
  it('forwards a knock to the host with the sender id and payload', async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { guest: g, id } = await guest(room);
    g.send({ v: 1, type: 'knock', payload: 'am9pbi1yZXF1ZXN0' });
    expect(await h.next('knock')).toMatchObject({ from: id, payload: 'am9pbi1yZXF1ZXN0' });
    expect((await h.next('presence')).lobby).toBe(0);
    expect((await h.next('presence')).lobby).toBe(1);
  });

  it('queues a knock while the host is absent and delivers it when the host connects', async () => {
    const room = await createRoom(t.base);
    const { guest: g, id } = await guest(room);
    expect((await g.next('presence')).host).toBeNull();
    g.send({ v: 1, type: 'knock', payload: 'Zmlyc3Q' });
    g.send({ v: 1, type: 'knock', payload: 'c2Vjb25k' });
    expect((await g.next('presence')).lobby).toBe(1);
    const { host: h, hostId } = await host(room);
    const knock = await h.next('knock');
    expect(knock).toMatchObject({ from: id, payload: 'c2Vjb25k' }); // the newer knock replaced the first
    expect(await h.nothing('knock')).toBe(true);
    expect((await g.next('presence')).host).toBe(hostId);
  });

  it('re-delivers pending knocks when the host reconnects', async () => {
    const room = await createRoom(t.base);
    const { host: h1 } = await host(room);
    const { guest: g, id } = await guest(room);
    g.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    await h1.next('knock');
    await h1.close(1001);
    const { host: h2 } = await host(room);
    expect((await h2.next('knock')).from).toBe(id);
  });

  it('refuses a knock in a locked room with room-locked, and accepts it after unlocking', async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { guest: g } = await guest(room);
    h.send({ v: 1, type: 'lock', locked: true });
    expect((await g.next('locked')).locked).toBe(true);
    expect((await h.next('locked')).locked).toBe(true);
    g.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    expect(await g.next('error')).toMatchObject({ code: 'room-locked', ref: 'knock' });
    h.send({ v: 1, type: 'lock', locked: false });
    await g.next('locked');
    g.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    await h.next('knock');
  });

  it('refuses a knock from someone already admitted with not-allowed', async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { guest: g } = await admitGuest(t.base, room, h);
    g.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    expect((await g.next('error')).code).toBe('not-allowed');
    h.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    expect((await h.next('error')).code).toBe('not-allowed');
  });
});

describe('admit and deny', () => {
  it('admits with a LiveKit grant and updates presence for everyone', async () => {
    const room = await createRoom(t.base);
    const { host: h, hostId } = await host(room);
    const { guest: g, id, resumeToken } = await guest(room);
    g.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    await h.next('knock');
    h.send({ v: 1, type: 'admit', participants: [id, id] });
    const admitted = await g.next('admitted');
    expect(admitted.livekit).toMatchObject({ url: t.livekitUrl, iceServers: 'none' });
    expect(admitted.livekit.token.split('.')).toHaveLength(3);
    const withGuest = (p: { members: string[] }) => p.members.includes(id);
    expect(await h.until('presence', withGuest)).toEqual({ v: 1, type: 'presence', members: [hostId, id], host: hostId, lobby: 0 });
    expect((await g.until('presence', withGuest)).members).toEqual([hostId, id]);
    // A resume now comes back as a member.
    const again = await TestClient.connect(t.base, room.roomId, resumeToken);
    expect(await again.next('welcome')).toMatchObject({ participantId: id, role: 'member', members: [hostId, id] });
  });

  it('applies nothing when one listed id is not in the lobby', async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { guest: g, id } = await guest(room);
    const { id: memberId } = await admitGuest(t.base, room, h);
    h.send({ v: 1, type: 'admit', participants: [id, memberId] });
    expect(await h.next('error')).toMatchObject({ code: 'unknown-participant', ref: 'admit' });
    h.send({ v: 1, type: 'admit', participants: [id, 'C'.repeat(22)] });
    expect((await h.next('error')).code).toBe('unknown-participant');
    expect(await g.nothing('admitted')).toBe(true);
    g.send({ v: 1, type: 'token' });
    expect((await g.next('error')).code).toBe('not-admitted');
  });

  it('closes a denied participant with 4401, and its resume token later the same way', async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { guest: g, id, resumeToken } = await guest(room);
    g.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    await h.next('knock');
    h.send({ v: 1, type: 'deny', participants: [id] });
    expect(await g.closeCode()).toBe(CloseCode.denied);
    const back = await TestClient.connect(t.base, room.roomId, resumeToken);
    expect(await back.closeCode()).toBe(CloseCode.denied);
    expect(back.received).toEqual([]);
  });

  it('refuses to deny someone who is not in the lobby', async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { guest: g, id } = await admitGuest(t.base, room, h);
    h.send({ v: 1, type: 'deny', participants: [id] });
    expect((await h.next('error')).code).toBe('unknown-participant');
    expect(g.ws.readyState).toBe(g.ws.OPEN);
  });

  it(`caps the lobby at ${MAX_LOBBY} knocks and the room at ${MAX_MEMBERS} members, host included`, async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const guests = await Promise.all(Array.from({ length: MAX_LOBBY + 1 }, () => guest(room)));
    for (const g of guests.slice(0, MAX_LOBBY)) g.guest.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    for (let i = 0; i < MAX_LOBBY; i++) await h.next('knock');
    const extra = guests[MAX_LOBBY]!;
    extra.guest.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    expect((await extra.guest.next('error')).code).toBe('lobby-full');

    const knocked = guests.slice(0, MAX_LOBBY).map((g) => g.id);
    h.send({ v: 1, type: 'admit', participants: knocked }); // 50 + host > 50
    expect(await h.next('error')).toMatchObject({ code: 'room-full', ref: 'admit' });
    h.send({ v: 1, type: 'admit', participants: knocked.slice(0, MAX_MEMBERS - 1) });
    await Promise.all(guests.slice(0, MAX_MEMBERS - 1).map((g) => g.guest.next('admitted')));
    const status = await (await fetch(`${t.base}/api/rooms/${room.roomId}`, { headers: { authorization: `Bearer ${room.accessToken}` } })).json();
    expect(status).toMatchObject({ full: true });

    h.send({ v: 1, type: 'admit', participants: [knocked[MAX_MEMBERS - 1]!] });
    expect((await h.next('error')).code).toBe('room-full');
    extra.guest.send({ v: 1, type: 'knock', payload: 'a25vY2s' });
    expect((await extra.guest.next('error')).code).toBe('room-full');
  }, 20_000);
});

describe('roles', () => {
  const hostOnly = [
    { v: 1, type: 'admit', participants: ['A'.repeat(22)] },
    { v: 1, type: 'deny', participants: ['A'.repeat(22)] },
    { v: 1, type: 'remove', participants: ['A'.repeat(22)] },
    { v: 1, type: 'lock', locked: true },
    { v: 1, type: 'end' },
    { v: 1, type: 'clear-lobby' },
    { v: 1, type: 'commit', epoch: 1, commit: 'Y29tbWl0', envelopes: {} },
  ];

  it.each(hostOnly.map((m) => [m.type, m] as const))('refuses %s from a member and from the lobby with not-allowed', async (type, message) => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { guest: member } = await admitGuest(t.base, room, h);
    const { guest: lobby } = await guest(room);
    for (const c of [member, lobby]) {
      c.send(message);
      expect(await c.next('error')).toMatchObject({ code: 'not-allowed', ref: type });
    }
    // Nothing happened: the room still exists, unlocked, and both are still connected.
    const res = await fetch(`${t.base}/api/rooms/${room.roomId}`, { headers: { authorization: `Bearer ${room.accessToken}` } });
    expect(await res.json()).toMatchObject({ locked: false, hostPresent: true });
    expect(await h.nothing('locked', 50)).toBe(true);
    expect([member.ws.readyState, lobby.ws.readyState]).toEqual([member.ws.OPEN, lobby.ws.OPEN]);
  });

  it.each(['token', 'relay'])('refuses %s from the lobby with not-admitted', async (type) => {
    const room = await createRoom(t.base);
    const { guest: g } = await guest(room);
    g.send(type === 'relay' ? { v: 1, type, to: 'all', payload: 'aGk' } : { v: 1, type });
    expect(await g.next('error')).toMatchObject({ code: 'not-admitted', ref: type });
  });
});

describe('without a LiveKit', () => {
  it('refuses to admit with an internal error, since no grant can be issued', async () => {
    const bare = await startTestServer({ livekit: null });
    try {
      const room = await createRoom(bare.base);
      const h = await TestClient.connect(bare.base, room.roomId, room.hostCredential);
      await h.next('welcome');
      const g = await TestClient.connect(bare.base, room.roomId, room.accessToken);
      const { participantId: id } = await g.next('welcome');
      h.send({ v: 1, type: 'admit', participants: [id] });
      expect(await h.next('error')).toMatchObject({ code: 'internal', ref: 'admit' });
      g.send({ v: 1, type: 'token' });
      expect((await g.next('error')).code).toBe('not-admitted');
      h.send({ v: 1, type: 'token' });
      expect(await h.next('error')).toMatchObject({ code: 'internal', ref: 'token' });
    } finally {
      await bare.close();
    }
  });
});
