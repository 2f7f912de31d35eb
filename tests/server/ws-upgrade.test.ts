// The WebSocket upgrade: every check happens before the socket is accepted.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, MAX_LOBBY, WS_VERSION_PROTOCOL, wsSubprotocols } from '../../protocol/protocol';
import { closeAllClients, createRoom, newAccessKeys, refusal, startTestServer, TestClient, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterEach(closeAllClients);
afterAll(() => t.close());

describe('ws upgrade', () => {
  it('refuses a wrong Origin with 403', async () => {
    const room = await createRoom(t.base);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(room.accessToken), 'https://evil.example')).status).toBe(403);
  });

  it('refuses a missing Origin with 403', async () => {
    const room = await createRoom(t.base);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(room.accessToken), null)).status).toBe(403);
  });

  it('refuses an unknown room with 404', async () => {
    const room = await createRoom(t.base);
    expect((await refusal(t.base, `/ws/${'B'.repeat(22)}`, wsSubprotocols(room.accessToken))).status).toBe(404);
  });

  it('refuses a path that is not /ws/<roomId> with 404', async () => {
    const room = await createRoom(t.base);
    expect((await refusal(t.base, `/ws/${room.roomId}/x`, wsSubprotocols(room.accessToken))).status).toBe(404);
    expect((await refusal(t.base, '/socket', wsSubprotocols(room.accessToken))).status).toBe(404);
  });

  it('refuses a client that does not offer sealroom.v1 with 426 naming the supported version', async () => {
    const room = await createRoom(t.base);
    const r = await refusal(t.base, `/ws/${room.roomId}`, ['sealroom.v2', `auth.${room.accessToken}`]);
    expect(r.status).toBe(426);
    expect(r.body).toContain(WS_VERSION_PROTOCOL);
  });

  it('refuses a missing credential with 401', async () => {
    const room = await createRoom(t.base);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(undefined))).status).toBe(401);
  });

  it('refuses a wrong or malformed credential with 401', async () => {
    const room = await createRoom(t.base);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(newAccessKeys().accessToken))).status).toBe(401);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols('tooshort'))).status).toBe(401);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(room.accessVerifier))).status).toBe(401);
  });

  it('selects only sealroom.v1, never echoing the credential', async () => {
    const room = await createRoom(t.base);
    const c = await TestClient.connect(t.base, room.roomId, room.accessToken);
    expect(c.ws.protocol).toBe(WS_VERSION_PROTOCOL);
  });

  it('welcomes the host credential as host', async () => {
    const room = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    const welcome = await host.next('welcome');
    expect(welcome).toMatchObject({ role: 'host', hostPresent: true, locked: false, members: [welcome.participantId], heartbeatMs: 15_000 });
    expect(host.received.map((m) => m.type).slice(0, 2)).toEqual(['challenge', 'welcome']);
  });

  it('welcomes each access-token connection as a new lobby participant who sees no member ids', async () => {
    const room = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    await host.next('welcome');
    const a = await TestClient.connect(t.base, room.roomId, room.accessToken);
    const b = await TestClient.connect(t.base, room.roomId, room.accessToken);
    const wa = await a.next('welcome');
    const wb = await b.next('welcome');
    expect(wa).toMatchObject({ role: 'lobby', hostPresent: true, members: [] });
    expect(wb.participantId).not.toBe(wa.participantId);
    expect(wa.resumeToken).not.toBe(wb.resumeToken);
    expect((await a.next('presence')).members).toEqual([]);
  });

  it('resumes the same participant and closes the old socket with replaced', async () => {
    const room = await createRoom(t.base);
    const first = await TestClient.connect(t.base, room.roomId, room.accessToken);
    const w1 = await first.next('welcome');
    const second = await TestClient.connect(t.base, room.roomId, w1.resumeToken);
    const w2 = await second.next('welcome');
    expect(w2.participantId).toBe(w1.participantId);
    expect(w2.role).toBe('lobby');
    expect(w2.resumeToken).not.toBe(w1.resumeToken);
    expect(await first.closeCode()).toBe(CloseCode.replaced);
  });

  it('accepts a resume token only once', async () => {
    const room = await createRoom(t.base);
    const first = await TestClient.connect(t.base, room.roomId, room.accessToken);
    const w1 = await first.next('welcome');
    await TestClient.connect(t.base, room.roomId, w1.resumeToken);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(w1.resumeToken))).status).toBe(401);
  });

  it('gives a reconnecting host its participant id back', async () => {
    const room = await createRoom(t.base);
    const h1 = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    const w1 = await h1.next('welcome');
    await h1.close(1001);
    const h2 = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    expect((await h2.next('welcome')).participantId).toBe(w1.participantId);
  });

  it('forgets a participant that closes normally, so its resume token stops working', async () => {
    const room = await createRoom(t.base);
    const c = await TestClient.connect(t.base, room.roomId, room.accessToken);
    const w = await c.next('welcome');
    await c.close(1000);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(w.resumeToken))).status).toBe(401);
  });

  it('refuses new lobby connections with 503 once the lobby holds its maximum', async () => {
    const room = await createRoom(t.base);
    // Spread over addresses, so the per-address share (MAX_LOBBY_PER_ADDRESS) is not what refuses.
    const from = (i: number) => ({ localAddress: `127.3.0.${2 + (i % 10)}` });
    const clients = await Promise.all(Array.from({ length: 2 * MAX_LOBBY }, (_, i) => TestClient.connect(t.base, room.roomId, room.accessToken, from(i))));
    expect(clients).toHaveLength(2 * MAX_LOBBY);
    expect((await refusal(t.base, `/ws/${room.roomId}`, wsSubprotocols(room.accessToken))).status).toBe(503);
    // The host is not a lobby participant and still gets in.
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    expect((await host.next('welcome')).role).toBe('host');
  });

  it('closes every socket with 1001 when the server shuts down', async () => {
    const own = await startTestServer();
    const room = await createRoom(own.base);
    const c = await TestClient.connect(own.base, room.roomId, room.accessToken);
    await c.next('welcome');
    await own.close();
    expect(await c.closeCode()).toBe(CloseCode.goingAway);
    await expect(fetch(`${own.base}/`)).rejects.toThrow();
  });
});

describe('heartbeat', () => {
  it('closes a socket that stops answering pings with 4408', async () => {
    // A ping every 500 ms: the lively client must answer within that, even on a loaded machine.
    const fast = await startTestServer({ heartbeatMs: 500 });
    try {
      const room = await createRoom(fast.base);
      const quiet = await TestClient.connect(fast.base, room.roomId, room.accessToken, { autoPong: false });
      const lively = await TestClient.connect(fast.base, room.roomId, room.accessToken);
      expect((await quiet.next('welcome')).heartbeatMs).toBe(500);
      expect(await quiet.closeCode()).toBe(CloseCode.heartbeatTimeout);
      expect(lively.ws.readyState).toBe(lively.ws.OPEN);
    } finally {
      await fast.close();
    }
  });
});
