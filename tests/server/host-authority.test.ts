// Host authority against a real server (decision 0017): a connection that would hold the host role
// must sign a fresh challenge with the room's per-room host key. On the first version, whoever held
// the host credential (it sits in localStorage) took over the live host connection: the host got
// 4409, which its client treats as final.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateHostKey } from '../../crypto/index';
import { CloseCode } from '../../protocol/protocol';
import { closeAllClients, createRoom, proofOf, startTestServer, TestClient, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ hostProofTimeoutMs: 300 });
});
afterEach(closeAllClients);
afterAll(() => t.close());

describe('host challenge ([H4])', () => {
  it('[H4] a stolen host credential without the host key cannot take over the live host connection', async () => {
    const room = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    await host.next('welcome');
    const thief = await TestClient.connect(t.base, room.roomId, room.hostCredential, { prove: generateHostKey() });
    expect(await thief.closeCode()).toBe(CloseCode.unproven);
    expect(thief.received.map((m) => m.type)).toEqual(['challenge']); // no welcome, no resume token, no knock
    // The host's connection is untouched and still acts.
    host.send({ v: 1, type: 'lock', locked: true });
    expect((await host.next('locked')).locked).toBe(true);
    expect(host.ws.readyState).toBe(host.ws.OPEN);
  });

  it("[H4] the host's resume token alone does not take over either", async () => {
    const room = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    const { resumeToken } = await host.next('welcome');
    const thief = await TestClient.connect(t.base, room.roomId, resumeToken, { prove: generateHostKey() });
    expect(await thief.closeCode()).toBe(CloseCode.unproven);
    host.send({ v: 1, type: 'sync' });
    expect((await host.next('commits')).commits).toEqual([]);
    expect(host.ws.readyState).toBe(host.ws.OPEN);
  });

  it('[H4] closes a host connection that does not answer its challenge in time, and one that sends anything else', async () => {
    const room = await createRoom(t.base);
    const silent = await TestClient.connect(t.base, room.roomId, room.hostCredential, { prove: false });
    expect(await silent.closeCode()).toBe(CloseCode.unproven);
    const other = await TestClient.connect(t.base, room.roomId, room.hostCredential, { prove: false });
    await other.next('challenge');
    other.send({ v: 1, type: 'sync' });
    expect(await other.closeCode()).toBe(CloseCode.unproven);
    expect(other.received.map((m) => m.type)).toEqual(['challenge']);
  });

  it('[H4] a proof is bound to its connection: replaying it on another connection fails', async () => {
    const room = await createRoom(t.base);
    const first = await TestClient.connect(t.base, room.roomId, room.hostCredential, { prove: false });
    const proof = proofOf(room.roomId, (await first.next('challenge')).nonce, room.hostKey);
    first.send(proof);
    await first.next('welcome');
    const replay = await TestClient.connect(t.base, room.roomId, room.hostCredential, { prove: false });
    await replay.next('challenge');
    replay.send(proof);
    expect(await replay.closeCode()).toBe(CloseCode.unproven);
    expect(first.ws.readyState).toBe(first.ws.OPEN);
  });

  it('a second connection that proves the host key replaces the first (another tab of the host), with 4409', async () => {
    const room = await createRoom(t.base);
    const first = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    const { participantId } = await first.next('welcome');
    const second = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    expect((await second.next('welcome')).participantId).toBe(participantId);
    expect(await first.closeCode()).toBe(CloseCode.replaced);
  });

  it('answers a prove outside a challenge with not-allowed', async () => {
    const room = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    const w = await host.next('welcome');
    host.send(proofOf(room.roomId, w.resumeToken, room.hostKey));
    expect(await host.next('error')).toMatchObject({ code: 'not-allowed', ref: 'prove' });
  });

  it('lets members and the lobby in without a challenge', async () => {
    const room = await createRoom(t.base);
    const guest = await TestClient.connect(t.base, room.roomId, room.accessToken);
    await guest.next('welcome');
    expect(guest.received[0]?.type).toBe('welcome');
  });
});
