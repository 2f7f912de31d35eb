// Remove, hand-over and end, end to end. LIVEKIT_URL points at a closed loopback port, so
// the server's SFU calls fail: they must neither crash nor delay the room.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, wsSubprotocols } from '../../protocol/protocol';
import { generateHostKey, toBase64Url } from '../../crypto/index';
import { admitGuest, closeAllClients, createRoom, handOverOf, refusal, startTestServer, TestClient, type CreatedRoom, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterEach(closeAllClients);
afterAll(() => t.close());

async function host(room: CreatedRoom, credential = room.hostCredential): Promise<{ host: TestClient; hostId: string }> {
  const h = await TestClient.connect(t.base, room.roomId, credential);
  return { host: h, hostId: (await h.next('welcome')).participantId };
}

const statusOf = (room: CreatedRoom, credential: string) => fetch(`${t.base}/api/rooms/${room.roomId}`, { headers: { authorization: `Bearer ${credential}` } });

describe('remove', () => {
  it('closes the member with 4403, updates presence, and closes a later resume with 4403 too', async () => {
    const room = await createRoom(t.base);
    const { host: h, hostId } = await host(room);
    const { guest: g, id, resumeToken } = await admitGuest(t.base, room, h);
    await h.until('presence', (p) => p.members.includes(id));
    h.send({ v: 1, type: 'remove', participants: [id] });
    expect(await g.closeCode()).toBe(CloseCode.removed);
    expect((await h.until('presence', (p) => !p.members.includes(id))).members).toEqual([hostId]);
    const back = await TestClient.connect(t.base, room.roomId, resumeToken);
    expect(await back.closeCode()).toBe(CloseCode.removed);
    expect(back.received).toEqual([]); // no welcome, so no token and no grant
  });

  it('[D1] answers a removed member\'s resume with the commits up to its removal, then 4403', async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { id, resumeToken, guest: g } = await admitGuest(t.base, room, h);
    h.send({ v: 1, type: 'commit', epoch: 0, commit: 'ZXBvY2gtMA', envelopes: {} });
    h.send({ v: 1, type: 'commit', epoch: 1, commit: 'cmVtb3Zlcw', envelopes: {} }); // the removal, before `remove`
    h.send({ v: 1, type: 'remove', participants: [id] });
    expect((await g.until('commit', (c) => c.epoch === 1)).commit).toBe('cmVtb3Zlcw');
    expect(await g.closeCode()).toBe(CloseCode.removed);
    h.send({ v: 1, type: 'commit', epoch: 2, commit: 'bGF0ZXI', envelopes: {} }); // after the removal: not sent to it
    h.send({ v: 1, type: 'sync', afterEpoch: 1 });
    await h.next('commits');
    const back = await TestClient.connect(t.base, room.roomId, resumeToken);
    expect(await back.closeCode()).toBe(CloseCode.removed);
    expect(back.received).toEqual([{ v: 1, type: 'commits', commits: [{ epoch: 0, commit: 'ZXBvY2gtMA' }, { epoch: 1, commit: 'cmVtb3Zlcw' }] }]);
  });

  it('keeps serving while the SFU removal fails in the background', async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { id } = await admitGuest(t.base, room, h);
    h.send({ v: 1, type: 'remove', participants: [id] });
    h.send({ v: 1, type: 'sync' });
    expect((await h.next('commits')).commits).toEqual([]);
    expect((await statusOf(room, room.hostCredential)).status).toBe(200);
  });

  it('refuses to remove the lobby, the host itself, or an unknown id', async () => {
    const room = await createRoom(t.base);
    const { host: h, hostId } = await host(room);
    const lobby = await TestClient.connect(t.base, room.roomId, room.accessToken);
    const { participantId: lobbyId } = await lobby.next('welcome');
    for (const target of [lobbyId, hostId, 'D'.repeat(22)]) {
      h.send({ v: 1, type: 'remove', participants: [target] });
      expect(await h.next('error')).toMatchObject({ code: 'unknown-participant', ref: 'remove' });
    }
    expect(lobby.ws.readyState).toBe(lobby.ws.OPEN);
  });
});

describe('hand-over ([H2], [H3])', () => {
  /** A member who registered a host key of its own. */
  async function memberWithKey(room: CreatedRoom, h: TestClient) {
    const admitted = await admitGuest(t.base, room, h);
    const key = generateHostKey();
    admitted.guest.send({ v: 1, type: 'host-key', publicKey: toBase64Url(key.publicKey) });
    await h.until('host-keys', (m) => m.keys.some((k) => k.participant === admitted.id));
    return { ...admitted, key };
  }

  it('stores the hand-over commit and moves the role, the new credential and the host key in one step', async () => {
    const room = await createRoom(t.base);
    const { host: h, hostId } = await host(room);
    const { guest: g, id, key } = await memberWithKey(room, h);
    h.send({ v: 1, type: 'commit', epoch: 0, commit: 'Y29tbWl0', envelopes: {}, handOver: handOverOf(room.roomId, 0, id, key, room.hostKey) });
    expect(await h.next('handed-over')).toMatchObject({ epoch: 0, to: id });
    expect((await g.next('commit')).epoch).toBe(0);
    const { hostCredential } = await g.next('host');
    expect(hostCredential).not.toBe(room.hostCredential);
    expect((await h.until('presence', (p) => p.host === id)).members).toEqual([hostId, id]);
    // The old host is a member now; the new one may lock.
    h.send({ v: 1, type: 'lock', locked: true });
    expect((await h.next('error')).code).toBe('not-allowed');
    g.send({ v: 1, type: 'lock', locked: true });
    expect((await h.next('locked')).locked).toBe(true);
    // Credentials: the old one is dead; the new one works over HTTP, and over WebSocket only with the new key.
    expect((await statusOf(room, room.hostCredential)).status).toBe(403);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(room.hostCredential))).status).toBe(401);
    expect((await statusOf(room, hostCredential)).status).toBe(200);
    const oldKey = await TestClient.connect(t.base, room.roomId, hostCredential, { prove: room.hostKey });
    expect(await oldKey.closeCode()).toBe(CloseCode.unproven);
    expect(g.ws.readyState).toBe(g.ws.OPEN);
    const again = await TestClient.connect(t.base, room.roomId, hostCredential, { prove: key });
    expect((await again.next('welcome')).participantId).toBe(id);
    expect(await g.closeCode()).toBe(CloseCode.replaced);
  });

  it('[H3] refuses both the commit and the switch when the target dropped before the hand-over arrived', async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { guest: g, id, key } = await memberWithKey(room, h);
    await g.close(CloseCode.goingAway);
    await h.until('presence', (p) => !p.members.includes(id));
    h.send({ v: 1, type: 'commit', epoch: 0, commit: 'Y29tbWl0', envelopes: {}, handOver: handOverOf(room.roomId, 0, id, key, room.hostKey) });
    expect(await h.next('error')).toMatchObject({ code: 'hand-over-refused', ref: 'commit' });
    // Nothing was stored and the host is still the host: its next commit is epoch 0 again.
    h.send({ v: 1, type: 'sync' });
    expect((await h.next('commits')).commits).toEqual([]);
    h.send({ v: 1, type: 'commit', epoch: 0, commit: 'Y29tbWl0', envelopes: {} });
    h.send({ v: 1, type: 'lock', locked: true });
    expect((await h.next('locked')).locked).toBe(true);
  });

  it('refuses a hand-over not signed by the room host key, naming another key, or to a non-member', async () => {
    const room = await createRoom(t.base);
    const { host: h, hostId } = await host(room);
    const { id, key } = await memberWithKey(room, h);
    const lobby = await TestClient.connect(t.base, room.roomId, room.accessToken);
    const { participantId: lobbyId } = await lobby.next('welcome');
    const stranger = generateHostKey();
    const bad = [
      handOverOf(room.roomId, 0, id, key, stranger), // a bearer-credential holder without the host key
      handOverOf(room.roomId, 0, id, stranger, room.hostKey), // a key the member never registered
      handOverOf(room.roomId, 1, id, key, room.hostKey), // signed for another epoch
      handOverOf(room.roomId, 0, lobbyId, key, room.hostKey),
      handOverOf(room.roomId, 0, hostId, key, room.hostKey),
    ];
    for (const handOver of bad) {
      h.send({ v: 1, type: 'commit', epoch: 0, commit: 'Y29tbWl0', envelopes: {}, handOver });
      expect(await h.next('error')).toMatchObject({ code: 'hand-over-refused', ref: 'commit' });
    }
    h.send({ v: 1, type: 'sync' });
    expect((await h.next('commits')).commits).toEqual([]);
    expect((await statusOf(room, room.hostCredential)).status).toBe(200);
  });
});

describe('end', () => {
  it('closes everyone with 4410 and forgets the room', async () => {
    const room = await createRoom(t.base);
    const { host: h } = await host(room);
    const { guest: g } = await admitGuest(t.base, room, h);
    const lobby = await TestClient.connect(t.base, room.roomId, room.accessToken);
    await lobby.next('welcome');
    h.send({ v: 1, type: 'end' });
    expect(await Promise.all([h.closeCode(), g.closeCode(), lobby.closeCode()])).toEqual([CloseCode.roomEnded, CloseCode.roomEnded, CloseCode.roomEnded]);
    expect((await statusOf(room, room.hostCredential)).status).toBe(404);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(room.hostCredential))).status).toBe(404);
  });
});
