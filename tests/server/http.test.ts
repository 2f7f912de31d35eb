// server/http.ts against a real server: room creation, status, errors, headers, static client.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, CreateRoomResponse, HttpError, RoomStatusResponse } from '../../protocol/protocol';
import { generateHostKey, toBase64Url } from '../../crypto/index';
import { ROOM_OVERHEAD_BYTES } from '../../protocol/limits';
import { admitGuest, createRoom, newAccessKeys, startTestServer, TestClient, type TestServer } from './helpers';

let t: TestServer;
let staticDir: string;

beforeAll(async () => {
  staticDir = mkdtempSync(path.join(tmpdir(), 'sealroom-static-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>sealroom</title>');
  writeFileSync(path.join(staticDir, 'app.js'), 'console.log(1)');
  writeFileSync(path.join(staticDir, 'sw.js'), '// sw');
  writeFileSync(path.join(staticDir, 'integrity.json'), '{}');
  t = await startTestServer({ staticDir });
});
afterAll(async () => {
  await t.close();
  rmSync(staticDir, { recursive: true, force: true });
});

const post = (body: string, type = 'application/json') => fetch(`${t.base}/api/rooms`, { method: 'POST', headers: { 'content-type': type }, body });
const status = (roomId: string, credential?: string) =>
  fetch(`${t.base}/api/rooms/${roomId}`, credential !== undefined ? { headers: { authorization: `Bearer ${credential}` } } : {});

async function expectError(res: Response, httpStatus: number, code: string): Promise<void> {
  expect(res.status).toBe(httpStatus);
  const body = HttpError.parse(await res.json());
  expect(body.error).toBe(code);
}

const HOST_KEY = toBase64Url(generateHostKey().publicKey);

describe('POST /api/rooms', () => {
  it('creates a room with a 22-character id and a 43-character host credential', async () => {
    const res = await post(JSON.stringify({ accessVerifier: newAccessKeys().accessVerifier, hostKey: HOST_KEY, info: 'c2VhbGVkLWluZm8' }));
    expect(res.status).toBe(201);
    const body = CreateRoomResponse.parse(await res.json());
    expect(body.roomId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.hostCredential).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('mints a different room id and credential every time', async () => {
    const a = await createRoom(t.base);
    const b = await createRoom(t.base);
    expect(a.roomId).not.toBe(b.roomId);
    expect(a.hostCredential).not.toBe(b.hostCredential);
  });

  it('answers bad JSON with 400 bad-json', async () => {
    await expectError(await post('{"accessVerifier":'), 400, 'bad-json');
  });

  it.each([
    ['an empty object', '{}'],
    ['a short verifier', JSON.stringify({ accessVerifier: 'abc', hostKey: HOST_KEY })],
    ['no host key', JSON.stringify({ accessVerifier: 'A'.repeat(43) })],
    ['a host key that is not 32 bytes', JSON.stringify({ accessVerifier: 'A'.repeat(43), hostKey: 'A'.repeat(42) })],
    ['a non-canonical host key', JSON.stringify({ accessVerifier: 'A'.repeat(43), hostKey: `${'A'.repeat(42)}B` })],
    ['an unknown field', JSON.stringify({ accessVerifier: 'A'.repeat(43), hostKey: HOST_KEY, name: 'Alice' })],
    ['info that is not base64url', JSON.stringify({ accessVerifier: 'A'.repeat(43), hostKey: HOST_KEY, info: 'not base64!' })],
    ['a non-canonical verifier', JSON.stringify({ accessVerifier: `${'A'.repeat(42)}B`, hostKey: HOST_KEY })],
    ['an array', '[]'],
  ])('answers %s with 400 bad-message', async (_what, body) => {
    await expectError(await post(body), 400, 'bad-message');
  });

  it('answers a body that is not JSON-typed with 400 bad-message', async () => {
    await expectError(await post(JSON.stringify({ accessVerifier: 'A'.repeat(43), hostKey: HOST_KEY }), 'text/plain'), 400, 'bad-message');
  });

  it('answers a body over 16 KiB with 413 too-large', async () => {
    await expectError(await post(JSON.stringify({ accessVerifier: 'A'.repeat(43), hostKey: HOST_KEY, info: 'A'.repeat(17 * 1024) })), 413, 'too-large');
  });
});

describe('GET /api/rooms/:roomId', () => {
  it('reports status to the holder of the access token', async () => {
    const room = await createRoom(t.base, 'c2VhbGVk');
    const res = await status(room.roomId, room.accessToken);
    expect(res.status).toBe(200);
    expect(RoomStatusResponse.parse(await res.json())).toEqual({ roomId: room.roomId, info: 'c2VhbGVk', hostPresent: false, locked: false, full: false });
  });

  it('reports status to the holder of the host credential', async () => {
    const room = await createRoom(t.base);
    const res = await status(room.roomId, room.hostCredential);
    expect(res.status).toBe(200);
    expect(RoomStatusResponse.parse(await res.json()).roomId).toBe(room.roomId);
  });

  it('answers a resume token 200 while it counts and 403 once used, so a refused resume learns which it was', async () => {
    const room = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    await host.next('welcome');
    const { guest, resumeToken } = await admitGuest(t.base, room, host);
    expect(RoomStatusResponse.parse(await (await status(room.roomId, resumeToken)).json()).roomId).toBe(room.roomId);
    const back = await TestClient.connect(t.base, room.roomId, resumeToken);
    await back.next('welcome');
    expect(await guest.closeCode()).toBe(CloseCode.replaced);
    await expectError(await status(room.roomId, resumeToken), 403, 'bad-credential');
    await Promise.all([back.close(), host.close()]);
  });

  it('answers a removed member\'s resume token 200: its upgrade, not the status, tells it it was removed', async () => {
    const room = await createRoom(t.base);
    const host = await TestClient.connect(t.base, room.roomId, room.hostCredential);
    await host.next('welcome');
    const { guest, id, resumeToken } = await admitGuest(t.base, room, host);
    host.send({ v: 1, type: 'remove', participants: [id] });
    expect(await guest.closeCode()).toBe(CloseCode.removed);
    expect((await status(room.roomId, resumeToken)).status).toBe(200);
    const back = await TestClient.connect(t.base, room.roomId, resumeToken);
    expect(await back.closeCode()).toBe(CloseCode.removed);
    await host.close();
  });

  it('refuses a missing credential with 403 bad-credential', async () => {
    const room = await createRoom(t.base);
    await expectError(await status(room.roomId), 403, 'bad-credential');
  });

  it('refuses a wrong credential with 403 bad-credential', async () => {
    const room = await createRoom(t.base);
    await expectError(await status(room.roomId, newAccessKeys().accessToken), 403, 'bad-credential');
    await expectError(await status(room.roomId, 'short'), 403, 'bad-credential');
  });

  it('refuses the access verifier itself: only its preimage opens the room', async () => {
    const room = await createRoom(t.base);
    await expectError(await status(room.roomId, room.accessVerifier), 403, 'bad-credential');
  });

  it('answers an unknown room with 404 unknown-room', async () => {
    const room = await createRoom(t.base);
    await expectError(await status('A'.repeat(22), room.accessToken), 404, 'unknown-room');
  });

  it('answers a malformed room id with 400', async () => {
    await expectError(await status('not-a-room-id', 'x'), 400, 'bad-message');
  });
});

describe('security headers', () => {
  it.each(['/api/rooms/AAAAAAAAAAAAAAAAAAAAAA', '/', '/r/AAAAAAAAAAAAAAAAAAAAAA', '/app.js', '/missing'])('are on the response to %s', async (p) => {
    const res = await fetch(`${t.base}${p}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("worker-src 'self';");
    expect(csp).toContain(`connect-src 'self'`);
    expect(csp).toContain(t.livekitUrl);
    expect(csp).toContain(t.livekitUrl.replace('ws://', 'http://'));
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).toContain("media-src 'self' blob: mediastream:");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("frame-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).toContain('trusted-types default svelte-trusted-html');
    expect(csp).not.toContain("'unsafe-eval'");
    // WEBCAT's rule: scripts and workers only from files (no blob:, no eval; wasm-unsafe-eval allowed).
    expect(csp).not.toMatch(/(script|worker)-src[^;]*blob:/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('permissions-policy')).toBe('camera=(self), microphone=(self), display-capture=(self)');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('strict-transport-security')).toBeNull(); // this server's public origin is http
  });

  it('sends HSTS when the public origins are https, and not when any is http', async () => {
    const secure = await startTestServer({}, { PUBLIC_ORIGINS: 'https://call.example' });
    const mixed = await startTestServer({}, { PUBLIC_ORIGINS: 'https://call.example,http://call.example' });
    try {
      for (const p of ['/', '/api/rooms/AAAAAAAAAAAAAAAAAAAAAA']) {
        expect((await fetch(`${secure.base}${p}`)).headers.get('strict-transport-security')).toBe('max-age=31536000');
        expect((await fetch(`${mixed.base}${p}`)).headers.get('strict-transport-security')).toBeNull();
      }
    } finally {
      await Promise.all([secure.close(), mixed.close()]);
    }
  });
});

describe('static client', () => {
  it('serves index.html at / and for room links', async () => {
    for (const p of ['/', '/r/AAAAAAAAAAAAAAAAAAAAAA']) {
      const res = await fetch(`${t.base}${p}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>sealroom</title>');
    }
  });

  it('serves built assets and answers unknown paths with 404', async () => {
    expect(await (await fetch(`${t.base}/app.js`)).text()).toBe('console.log(1)');
    expect((await fetch(`${t.base}/r/bad`)).status).toBe(404);
    expect((await fetch(`${t.base}/api/nothing`)).status).toBe(404);
  });

  it('asks caches to revalidate the manifest and the service worker every time', async () => {
    for (const p of ['/sw.js', '/integrity.json', '/']) {
      const res = await fetch(`${t.base}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    expect((await fetch(`${t.base}/app.js`)).headers.get('cache-control')).not.toBe('no-cache');
  });

  it('answers 503 naming `npm run build` when the client is not built', async () => {
    const emptyDir = mkdtempSync(path.join(tmpdir(), 'sealroom-empty-'));
    const empty = await startTestServer({ staticDir: emptyDir });
    try {
      const res = await fetch(`${empty.base}/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build');
    } finally {
      await empty.close();
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});

describe('room creation limits ([R1], [R2])', () => {
  const body = (info?: string) => JSON.stringify({ accessVerifier: newAccessKeys().accessVerifier, hostKey: HOST_KEY, ...(info !== undefined ? { info } : {}) });
  const make = (base: string, from?: string, info?: string) =>
    fetch(`${base}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', ...(from !== undefined ? { 'x-forwarded-for': from } : {}) }, body: body(info) });

  it('answers 429 rate-limited after the per-address budget for the minute', async () => {
    const limited = await startTestServer({ roomCreatesPerMinutePerIp: 30 });
    try {
      for (let i = 0; i < 30; i++) expect((await make(limited.base)).status).toBe(201);
      const res = await make(limited.base);
      await expectError(res, 429, 'rate-limited');
      expect(res.headers.get('retry-after')).toBe('60');
    } finally {
      await limited.close();
    }
  });

  it('[R1] counts every address of one IPv6 /64 together, and other networks apart', async () => {
    const limited = await startTestServer({ roomCreatesPerMinutePerIp: 30, roomCreatesPerMinutePer64: 5, trustProxy: true });
    try {
      // A client rotating addresses inside its /64, one room from each.
      for (let i = 1; i <= 5; i++) expect((await make(limited.base, `2001:db8:1:2::${i.toString(16)}`)).status).toBe(201);
      await expectError(await make(limited.base, '2001:db8:1:2:ffff:1:2:3'), 429, 'rate-limited');
      expect((await make(limited.base, '2001:db8:1:3::1')).status).toBe(201); // the next /64
      for (let i = 1; i <= 6; i++) expect((await make(limited.base, `192.0.2.${i}`)).status).toBe(201); // IPv4: per address only
      expect((await make(limited.base, '::ffff:192.0.2.200')).status).toBe(201);
    } finally {
      await limited.close();
    }
  });

  it('[R2] answers 503 server-full once the server holds its maximum number of rooms', async () => {
    const small = await startTestServer({ maxRooms: 1 });
    try {
      await createRoom(small.base);
      const res = await make(small.base);
      await expectError(res, 503, 'server-full');
      expect(res.headers.get('retry-after')).toBe('300');
    } finally {
      await small.close();
    }
  });

  it('[R2] answers 503 server-full once the rooms hold the memory budget in bytes', async () => {
    const info = 'A'.repeat(8000);
    const small = await startTestServer({ maxStoredBytes: 3 * (ROOM_OVERHEAD_BYTES + info.length) });
    try {
      for (let i = 0; i < 3; i++) expect((await make(small.base, undefined, info)).status).toBe(201);
      await expectError(await make(small.base, undefined, info), 503, 'server-full');
      await expectError(await make(small.base), 503, 'server-full'); // even a room with no info: its overhead counts too
    } finally {
      await small.close();
    }
  });
});

describe('idle rooms', () => {
  it('forgets a room nobody used for ROOM_IDLE_TTL_SECONDS', async () => {
    const brief = await startTestServer({ roomIdleTtlSeconds: 1 });
    try {
      const room = await createRoom(brief.base);
      const get = () => fetch(`${brief.base}/api/rooms/${room.roomId}`, { headers: { authorization: `Bearer ${room.accessToken}` } });
      expect((await get()).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2200));
      await expectError(await get(), 404, 'unknown-room');
    } finally {
      await brief.close();
    }
  });
});
