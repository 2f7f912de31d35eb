// Rooms do not leak into each other: credentials, relays and SFU grants are per room.
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { wsSubprotocols } from '../../protocol/protocol';
import { API_KEY, API_SECRET, admitGuest, closeAllClients, createRoom, refusal, startTestServer, TestClient, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ tokenTtlSeconds: 300 });
});
afterEach(closeAllClients);
afterAll(() => t.close());

describe('isolation', () => {
  it('does not open room B with any credential of room A', async () => {
    const a = await createRoom(t.base);
    const b = await createRoom(t.base);
    const guest = await TestClient.connect(t.base, a.roomId, a.accessToken);
    const { resumeToken } = await guest.next('welcome');
    for (const credential of [a.accessToken, a.hostCredential, resumeToken]) {
      expect((await refusal(t.base, `/ws/${b.roomId}`, wsSubprotocols(credential))).status).toBe(401);
    }
    for (const credential of [a.accessToken, a.hostCredential]) {
      const res = await fetch(`${t.base}/api/rooms/${b.roomId}`, { headers: { authorization: `Bearer ${credential}` } });
      expect(res.status).toBe(403);
    }
  });

  it('never relays across rooms', async () => {
    const a = await createRoom(t.base);
    const b = await createRoom(t.base);
    const hostA = await TestClient.connect(t.base, a.roomId, a.hostCredential);
    const hostB = await TestClient.connect(t.base, b.roomId, b.hostCredential);
    await hostA.next('welcome');
    await hostB.next('welcome');
    const memberA = await admitGuest(t.base, a, hostA);
    const memberB = await admitGuest(t.base, b, hostB);
    memberA.guest.send({ v: 1, type: 'relay', to: 'all', payload: 'c2VjcmV0', id: '1' });
    await memberA.guest.next('ack');
    expect((await hostA.next('relay')).payload).toBe('c2VjcmV0');
    // Naming a member of the other room is an unknown participant, not a delivery.
    memberA.guest.send({ v: 1, type: 'relay', to: memberB.id, payload: 'c2VjcmV0' });
    expect((await memberA.guest.next('error')).code).toBe('unknown-participant');
    hostA.send({ v: 1, type: 'commit', epoch: 1, commit: 'Yw', envelopes: { [memberB.id]: 'ZQ' } });
    expect(await hostB.nothing('relay')).toBe(true);
    expect(await memberB.guest.nothing('relay', 50)).toBe(true);
    expect(await memberB.guest.nothing('commit', 50)).toBe(true);
  });

  it('grants a LiveKit token for that room and identity only, short-lived and without name or metadata', async () => {
    const room = await createRoom(t.base);
    const other = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    await host.next('welcome');
    const { guest, id } = await admitGuest(t.base, room, host);
    guest.send({ v: 1, type: 'token' });
    const { livekit } = await guest.next('token');
    const claims = await new TokenVerifier(API_KEY, API_SECRET).verify(livekit.token);
    expect(claims.sub).toBe(id);
    expect(claims.video).toEqual({ room: room.roomId, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: false });
    expect(claims.video?.room).not.toBe(other.roomId);
    expect(claims.name).toBeUndefined();
    expect(claims.metadata).toBeUndefined();
    expect(claims.attributes).toBeUndefined();
    expect((claims.exp ?? 0) - (claims.nbf ?? 0)).toBe(300);
    expect((claims.exp ?? 0) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(600);
    await expect(new TokenVerifier(API_KEY, 'some-other-secret-of-enough-length').verify(livekit.token)).rejects.toThrow();
  });
});
