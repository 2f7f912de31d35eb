// Hostile or broken input on an open socket: each bad message gets a typed error and the socket
// stays usable, except where the protocol says close (binary, oversize, 10 bad in a row).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, MAX_MESSAGE_BYTES, WS_MAX_FRAME_BYTES } from '../../protocol/protocol';
import { closeAllClients, createRoom, startTestServer, TestClient, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterEach(closeAllClients);
afterAll(() => t.close());

async function lobbyClient(): Promise<TestClient> {
  const room = await createRoom(t.base);
  const c = await TestClient.connect(t.base, room.roomId, room.accessToken);
  await c.next('welcome');
  return c;
}

/**
 * Waits until `count()` reaches `n`: every request sent has been answered. A liveness bound of 20 s,
 * not a speed claim: counting after a fixed sleep would fail on a loaded machine.
 */
async function answered(c: TestClient, what: string, count: () => number, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (count() < n) {
    if (Date.now() > deadline) throw new Error(`only ${count()} of ${n} ${what} answered`);
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(c.ws.readyState).toBe(c.ws.OPEN);
}

/** A valid request and its answer: proves the socket still works. */
async function roundTrip(c: TestClient): Promise<void> {
  c.send({ v: 1, type: 'sync' });
  expect((await c.next('commits')).commits).toEqual([]);
}

describe('bad input', () => {
  it.each([
    ['malformed JSON', '{"v":1,', 'bad-json', undefined],
    ['a JSON array', '[1,2]', 'bad-message', undefined],
    ['a JSON string', '"knock"', 'bad-message', undefined],
    ['JSON null', 'null', 'bad-message', undefined],
    ['an unknown type', '{"v":1,"type":"shout"}', 'unknown-type', undefined],
    ['a missing type', '{"v":1}', 'unknown-type', undefined],
    ['a wrong version', '{"v":2,"type":"sync"}', 'unsupported-version', 'sync'],
    ['a missing version', '{"type":"sync"}', 'unsupported-version', 'sync'],
    ['a schema mismatch', '{"v":1,"type":"knock","payload":"not base64url!"}', 'bad-message', 'knock'],
    ['an extra field', '{"v":1,"type":"token","name":"Alice"}', 'bad-message', 'token'],
    ['a bad participant id', '{"v":1,"type":"admit","participants":["x"]}', 'bad-message', 'admit'],
  ])('answers %s with error %s and keeps the socket open', async (_what, frame, code, ref) => {
    const c = await lobbyClient();
    c.sendRaw(frame);
    const err = await c.next('error');
    expect(err.code).toBe(code);
    expect(err.ref).toBe(ref);
    await roundTrip(c);
  });

  it('answers a frame between 48 and 64 KiB with too-large and keeps the socket open', async () => {
    const c = await lobbyClient();
    const frame = JSON.stringify({ v: 1, type: 'knock', payload: 'A'.repeat(MAX_MESSAGE_BYTES + 100) });
    expect(frame.length).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(frame.length).toBeLessThan(WS_MAX_FRAME_BYTES);
    c.sendRaw(frame);
    expect((await c.next('error')).code).toBe('too-large');
    await roundTrip(c);
  });

  it('closes on a frame over 64 KiB with 1009', async () => {
    const c = await lobbyClient();
    c.sendRaw('A'.repeat(WS_MAX_FRAME_BYTES + 1));
    expect(await c.closeCode()).toBe(CloseCode.tooBig);
  });

  it('closes on a binary frame with 4400', async () => {
    const c = await lobbyClient();
    c.sendRaw(Buffer.from(JSON.stringify({ v: 1, type: 'sync' })), true);
    expect(await c.closeCode()).toBe(CloseCode.protocolViolation);
  });

  it('closes after 10 invalid messages in a row with 4400', async () => {
    const c = await lobbyClient();
    for (let i = 0; i < 10; i++) c.sendRaw('nope');
    expect(await c.closeCode()).toBe(CloseCode.protocolViolation);
    expect(c.received.filter((m) => m.type === 'error')).toHaveLength(10);
  });

  it('resets the invalid count after a valid message', async () => {
    const c = await lobbyClient();
    for (let i = 0; i < 9; i++) c.sendRaw('nope');
    await roundTrip(c);
    for (let i = 0; i < 9; i++) c.sendRaw('nope');
    await roundTrip(c);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  it('answers messages beyond the per-connection budget with rate-limited', async () => {
    const c = await lobbyClient();
    for (let i = 0; i < 100; i++) c.send({ v: 1, type: 'token' });
    // Every message gets one answer: not-admitted (served), or rate-limited.
    const served = () => c.received.filter((m) => m.type === 'error' && m.code === 'not-admitted').length;
    const limited = () => c.received.filter((m) => m.type === 'error' && m.code === 'rate-limited' && m.ref === 'token').length;
    await answered(c, 'tokens', () => served() + limited(), 100);
    expect(limited()).toBeGreaterThan(0);
    expect(served()).toBeGreaterThanOrEqual(60);
    expect(served()).toBeLessThan(100);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  it("gives the host's commits their own budget, so a burst of membership changes is not dropped", async () => {
    const room = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    await host.next('welcome');
    for (let i = 0; i < 100; i++) host.send({ v: 1, type: 'sync' }); // spends the general budget
    for (let epoch = 0; epoch < 150; epoch++) host.send({ v: 1, type: 'commit', epoch, commit: 'AQ', envelopes: {} });
    // One more sync after the commits (answered in order, commits or rate-limited): once its answer
    // is in, every commit has been handled. afterEpoch 149 keeps its answer one empty frame.
    host.send({ v: 1, type: 'sync', afterEpoch: 149 });
    const syncAnswers = () => host.received.filter((m) => m.type === 'commits' || (m.type === 'error' && m.ref === 'sync')).length;
    await answered(host, 'syncs', syncAnswers, 101);
    const refusedCommits = host.received.filter((m) => m.type === 'error' && m.ref === 'commit');
    expect(refusedCommits).toEqual([]);
    const limited = host.received.filter((m) => m.type === 'error' && m.code === 'rate-limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((m) => m.type === 'error' && m.ref === 'sync')).toBe(true);
  });
});
