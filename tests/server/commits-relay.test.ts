// Commits (store, deliver per-recipient envelopes, resync) and relays (fan-out, ack), end to end.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../protocol/protocol';
import { admitGuest, closeAllClients, createRoom, startTestServer, TestClient, type CreatedRoom, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterEach(closeAllClients);
afterAll(() => t.close());

/** A host, two admitted members and one lobby participant. */
async function party(room: CreatedRoom) {
  const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
  const hostId = (await host.next('welcome')).participantId;
  const a = await admitGuest(t.base, room, host);
  const b = await admitGuest(t.base, room, host);
  const lobby = await TestClient.connect(t.base, room.roomId, room.accessToken);
  const lobbyId = (await lobby.next('welcome')).participantId;
  return { host, hostId, a, b, lobby, lobbyId };
}

describe('commit', () => {
  it('delivers each member only its own envelope, the lobby no commit but the lobby record, and does not echo to the host', async () => {
    const room = await createRoom(t.base);
    const { host, a, b, lobby, lobbyId } = await party(room);
    host.send({ v: 1, type: 'commit', epoch: 0, commit: 'Y29tbWl0LTE', envelopes: { [a.id]: 'ZW52LWE', [b.id]: 'ZW52LWI', [lobbyId]: 'ZW52LWw' }, lobby: 'bG9iYnk' });
    expect(await a.guest.next('commit')).toEqual({ v: 1, type: 'commit', epoch: 0, commit: 'Y29tbWl0LTE', envelope: 'ZW52LWE' });
    expect(await b.guest.next('commit')).toEqual({ v: 1, type: 'commit', epoch: 0, commit: 'Y29tbWl0LTE', envelope: 'ZW52LWI' });
    expect(await lobby.next('lobby')).toEqual({ v: 1, type: 'lobby', lobby: 'bG9iYnk' });
    expect(await lobby.nothing('commit')).toBe(true);
    expect(await host.nothing('commit')).toBe(true);
    // And a lobby sync answers with the record alone.
    lobby.send({ v: 1, type: 'sync' });
    expect(await lobby.next('commits')).toEqual({ v: 1, type: 'commits', commits: [], lobby: 'bG9iYnk' });
  });

  it('delivers admitted before the commit the host sends right after admitting', async () => {
    const room = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    await host.next('welcome');
    const g = await TestClient.connect(t.base, room.roomId, room.accessToken);
    const { participantId: id } = await g.next('welcome');
    g.send({ v: 1, type: 'knock', payload: 'aw' });
    await host.next('knock');
    host.send({ v: 1, type: 'admit', participants: [id] });
    host.send({ v: 1, type: 'commit', epoch: 0, commit: 'Yw', envelopes: { [id]: 'ZQ' } });
    await g.next('commit');
    const order = g.received.map((m) => m.type).filter((type) => type === 'admitted' || type === 'commit');
    expect(order).toEqual(['admitted', 'commit']);
  });

  it('stores only the next epoch: an older one is stale, one that skips ahead is a gap', async () => {
    const room = await createRoom(t.base);
    const { host, a } = await party(room);
    for (const epoch of [0, 1, 2]) host.send({ v: 1, type: 'commit', epoch, commit: 'NQ', envelopes: {} });
    for (let i = 0; i < 3; i++) await a.guest.next('commit');
    for (const epoch of [2, 1, 0]) {
      host.send({ v: 1, type: 'commit', epoch, commit: 'b2xk', envelopes: {} });
      expect(await host.next('error')).toMatchObject({ code: 'stale-epoch', ref: 'commit' });
    }
    // A junk commit far ahead (what a stolen host credential would park the log at) is refused...
    for (const epoch of [4, Number.MAX_SAFE_INTEGER]) {
      host.send({ v: 1, type: 'commit', epoch, commit: 'anVuaw', envelopes: {} });
      expect(await host.next('error')).toMatchObject({ code: 'epoch-gap', ref: 'commit' });
    }
    expect(await a.guest.nothing('commit')).toBe(true);
    // ...so the genuine next commit still goes through.
    host.send({ v: 1, type: 'commit', epoch: 3, commit: 'Mw', envelopes: {} });
    expect((await a.guest.next('commit')).epoch).toBe(3);
  });

  it('answers sync with the log in order, each entry with the asker’s own envelope', async () => {
    const room = await createRoom(t.base);
    const { host, a, lobby } = await party(room);
    for (const epoch of [0, 1, 2, 3]) host.send({ v: 1, type: 'commit', epoch, commit: `Yy${epoch}`, envelopes: { [a.id]: `ZQ${epoch}` } });
    for (let i = 0; i < 4; i++) await a.guest.next('commit');
    a.guest.send({ v: 1, type: 'sync' });
    expect((await a.guest.next('commits')).commits).toEqual([
      { epoch: 0, commit: 'Yy0', envelope: 'ZQ0' },
      { epoch: 1, commit: 'Yy1', envelope: 'ZQ1' },
      { epoch: 2, commit: 'Yy2', envelope: 'ZQ2' },
      { epoch: 3, commit: 'Yy3', envelope: 'ZQ3' },
    ]);
    a.guest.send({ v: 1, type: 'sync', afterEpoch: 1 });
    expect((await a.guest.next('commits')).commits.map((c) => c.epoch)).toEqual([2, 3]);
    lobby.send({ v: 1, type: 'sync', afterEpoch: 2 });
    expect((await lobby.next('commits')).commits).toEqual([]);
  });

  it('splits a large sync answer into frames within the message cap', async () => {
    const room = await createRoom(t.base);
    const { host, a } = await party(room);
    const big = 'Q'.repeat(20_000);
    for (const epoch of [0, 1, 2, 3]) host.send({ v: 1, type: 'commit', epoch, commit: big, envelopes: { [a.id]: 'ZQ' } });
    for (let i = 0; i < 4; i++) await a.guest.next('commit');
    a.guest.send({ v: 1, type: 'sync' });
    const frames = [await a.guest.next('commits'), await a.guest.next('commits')];
    expect(frames.every((f) => JSON.stringify(f).length <= MAX_MESSAGE_BYTES)).toBe(true);
    expect(frames.flatMap((f) => f.commits.map((c) => c.epoch))).toEqual([0, 1, 2, 3]);
  });

  it('delivers and resyncs a commit at the message cap', async () => {
    const room = await createRoom(t.base);
    const { host, a } = await party(room);
    const message = { v: 1, type: 'commit', epoch: 0, commit: 'Q'.repeat(24_000), envelopes: { [a.id]: 'R'.repeat(24_000) } };
    const spare = MAX_MESSAGE_BYTES - JSON.stringify(message).length;
    message.commit += 'Q'.repeat(spare);
    expect(JSON.stringify(message).length).toBe(MAX_MESSAGE_BYTES);
    host.send(message);
    expect((await a.guest.next('commit')).envelope).toBe('R'.repeat(24_000));
    a.guest.send({ v: 1, type: 'sync' });
    expect((await a.guest.next('commits')).commits).toHaveLength(1);
  });
});

describe('relay', () => {
  it('fans a relay to all out to every other admitted participant and acks it', async () => {
    const room = await createRoom(t.base);
    const { host, hostId, a, b, lobby } = await party(room);
    a.guest.send({ v: 1, type: 'relay', to: 'all', payload: 'aGVsbG8', id: 'm1' });
    expect(await a.guest.next('ack')).toEqual({ v: 1, type: 'ack', id: 'm1' });
    expect(await b.guest.next('relay')).toEqual({ v: 1, type: 'relay', from: a.id, payload: 'aGVsbG8', id: 'm1' });
    expect((await host.next('relay')).from).toBe(a.id);
    expect(await a.guest.nothing('relay')).toBe(true);
    expect(await lobby.nothing('relay', 50)).toBe(true);
    host.send({ v: 1, type: 'relay', to: b.id, payload: 'b25l' });
    expect(await b.guest.next('relay')).toEqual({ v: 1, type: 'relay', from: hostId, payload: 'b25l' });
    expect(await a.guest.nothing('relay', 50)).toBe(true);
    expect(await host.nothing('ack', 50)).toBe(true); // no id, no ack
  });

  it('refuses a relay to the lobby, to oneself or to an unknown id with unknown-participant', async () => {
    const room = await createRoom(t.base);
    const { a, lobby, lobbyId } = await party(room);
    for (const to of [lobbyId, a.id, 'F'.repeat(22)]) {
      a.guest.send({ v: 1, type: 'relay', to, payload: 'eA', id: 'x' });
      expect(await a.guest.next('error')).toMatchObject({ code: 'unknown-participant', ref: 'relay' });
    }
    expect(await a.guest.nothing('ack', 50)).toBe(true);
    expect(await lobby.nothing('relay', 50)).toBe(true);
  });

  it('refuses a relay that would exceed the cap once the sender id is added', async () => {
    const room = await createRoom(t.base);
    const { a, b } = await party(room);
    const payload = 'Q'.repeat(MAX_MESSAGE_BYTES - 50);
    a.guest.send({ v: 1, type: 'relay', to: 'all', payload });
    expect((await a.guest.next('error')).code).toBe('too-large');
    expect(await b.guest.nothing('relay')).toBe(true);
  });
});

describe('token', () => {
  it('answers a member with a fresh LiveKit grant', async () => {
    const room = await createRoom(t.base);
    const { host, a } = await party(room);
    a.guest.send({ v: 1, type: 'token' });
    host.send({ v: 1, type: 'token' });
    expect((await a.guest.next('token')).livekit).toMatchObject({ url: t.livekitUrl, iceServers: 'none' });
    expect((await host.next('token')).livekit.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
