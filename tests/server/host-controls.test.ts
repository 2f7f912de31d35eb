// Remove, transfer-host and end, end to end. LIVEKIT_URL points at a closed loopback port, so
// the server's SFU calls fail: they must neither crash nor delay the room.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, wsSubprotocols } from '../../protocol/protocol';
import { admitGuest, closeAllClients, createRoom, refusal, startTestServer, TestClient, type CreatedRoom, type TestServer } from './helpers';

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

describe('transfer-host', () => {
  it('hands the role and a new credential to the member and revokes the old credential', async () => {
    const room = await createRoom(t.base);
    const { host: h, hostId } = await host(room);
    const { guest: g, id } = await admitGuest(t.base, room, h);
    h.send({ v: 1, type: 'transfer-host', to: id });
    const { hostCredential } = await g.next('host');
    expect(hostCredential).not.toBe(room.hostCredential);
    expect((await h.until('presence', (p) => p.host === id)).members).toEqual([hostId, id]);
    // The old host is a member now; the new one may lock.
    h.send({ v: 1, type: 'lock', locked: true });
    expect((await h.next('error')).code).toBe('not-allowed');
    g.send({ v: 1, type: 'lock', locked: true });
    expect((await h.next('locked')).locked).toBe(true);
    // Credentials: the old one is dead, the new one works over HTTP and WebSocket.
    expect((await statusOf(room, room.hostCredential)).status).toBe(403);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(room.hostCredential))).status).toBe(401);
    expect((await statusOf(room, hostCredential)).status).toBe(200);
    const { host: again, hostId: againId } = await host(room, hostCredential);
    expect(againId).toBe(id);
    expect(await g.closeCode()).toBe(CloseCode.replaced);
    expect(again.ws.readyState).toBe(again.ws.OPEN);
  });

  it('refuses a target that is not a connected member', async () => {
    const room = await createRoom(t.base);
    const { host: h, hostId } = await host(room);
    const lobby = await TestClient.connect(t.base, room.roomId, room.accessToken);
    const { participantId: lobbyId } = await lobby.next('welcome');
    for (const to of [lobbyId, hostId, 'E'.repeat(22)]) {
      h.send({ v: 1, type: 'transfer-host', to });
      expect(await h.next('error')).toMatchObject({ code: 'unknown-participant', ref: 'transfer-host' });
    }
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
