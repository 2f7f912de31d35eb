// Test kit for the server tier: start a real server on an ephemeral loopback port, create rooms
// over HTTP the way the host's browser does, and drive typed `ws` clients. Every message a test
// client receives is checked against the protocol's ServerMessage schema.
import { createServer } from 'node:net';
import WebSocket from 'ws';
import { toBase64Url, deriveAccessKeys, fromBase64Url, generateHostKey, generateLinkSecret, handOverMessage, hostProofMessage, participantIdBytes, roomIdBytes, signHostStatement, type HostKeyPair } from '../../crypto/index';
import { parseServerMessage, wsSubprotocols, type ServerMessage, type ServerMessageType } from '../../protocol/protocol';
import { startServer, type RunningServer } from '../../server/app';
import { loadConfig, type Config } from '../../server/config';

export const API_KEY = 'test-key';
export const API_SECRET = 'test-secret-that-is-long-enough-for-hs256';

/** A loopback port nothing listens on: LiveKit admin calls to it fail fast. */
export async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface TestServer {
  readonly server: RunningServer;
  readonly config: Config;
  readonly base: string;
  readonly origin: string;
  readonly livekitUrl: string;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Partial<Config> = {}, env: Record<string, string> = {}): Promise<TestServer> {
  const livekitUrl = `ws://127.0.0.1:${await unusedPort()}`;
  const config: Config = {
    ...loadConfig({ PORT: '0', LIVEKIT_URL: livekitUrl, LIVEKIT_API_KEY: API_KEY, LIVEKIT_API_SECRET: API_SECRET, LIVEKIT_LOCAL: 'true', LOG_LEVEL: 'silent', ...env }),
    roomCreatesPerMinutePerIp: 1000,
    ...overrides,
  };
  const server = await startServer(config);
  const base = `http://127.0.0.1:${server.port}`;
  return { server, config, base, origin: base, livekitUrl, close: () => server.close() };
}

export interface CreatedRoom {
  readonly roomId: string;
  readonly hostCredential: string;
  readonly accessToken: string;
  readonly accessVerifier: string;
  /** The per-room host key registered at creation (a host connection signs its challenge with it). */
  readonly hostKey: HostKeyPair;
}

/**
 * The host key a test client answers a room's challenge with, by room id: set by createRoom, and by
 * tests that hand the role over. A client opened with `prove: false` answers nothing.
 */
const roomHostKeys = new Map<string, HostKeyPair>();

export function newAccessKeys(): { accessToken: string; accessVerifier: string } {
  const keys = deriveAccessKeys(generateLinkSecret());
  return { accessToken: toBase64Url(keys.accessToken), accessVerifier: toBase64Url(keys.accessVerifier) };
}

export async function createRoom(base: string, info?: string): Promise<CreatedRoom> {
  const keys = newAccessKeys();
  const hostKey = generateHostKey();
  const res = await fetch(`${base}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessVerifier: keys.accessVerifier, hostKey: toBase64Url(hostKey.publicKey), ...(info !== undefined ? { info } : {}) }),
  });
  if (res.status !== 201) throw new Error(`room creation answered ${res.status}`);
  const body = (await res.json()) as { roomId: string; hostCredential: string };
  roomHostKeys.set(body.roomId, hostKey);
  return { ...keys, hostKey, roomId: body.roomId, hostCredential: body.hostCredential };
}

/** A commit's `handOver`: `from` (the room's host key now) names `toKey` of participant `to` at `epoch`. */
export function handOverOf(roomId: string, epoch: number, to: string, toKey: HostKeyPair, from: HostKeyPair): { to: string; hostKey: string; signature: string } {
  const statement = handOverMessage(roomIdBytes(roomId), epoch, participantIdBytes(to), toKey.publicKey);
  return { to, hostKey: toBase64Url(toKey.publicKey), signature: toBase64Url(signHostStatement(from, statement)) };
}

/** The `prove` answer to a challenge, signed with `key`. */
export function proofOf(roomId: string, nonce: string, key: HostKeyPair): { v: 1; type: 'prove'; signature: string } {
  return { v: 1, type: 'prove', signature: toBase64Url(signHostStatement(key, hostProofMessage(roomIdBytes(roomId), fromBase64Url(nonce)))) };
}

type Msg<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

/** How long a test client waits for a message or a close: a liveness bound, not a speed claim. */
const WAIT_MS = 10_000;

export interface OpenOptions {
  readonly origin?: string;
  /** Replaces the offered subprotocols entirely. */
  readonly protocols?: string[];
  readonly autoPong?: boolean;
  /** Open from this loopback address (the server counts lobby places per client address). */
  readonly localAddress?: string;
  /** Extra request headers (X-Forwarded-For behind a trusted proxy). */
  readonly headers?: Record<string, string>;
  /** Answer a host challenge with this key (default: the room's in roomHostKeys); false: do not answer. */
  readonly prove?: HostKeyPair | false;
}

const open = new Set<TestClient>();

/** Close every client a test left open. Call from afterEach. */
export async function closeAllClients(): Promise<void> {
  await Promise.all([...open].map((c) => c.close()));
}

export class TestClient {
  readonly received: ServerMessage[] = [];
  private readonly queue: ServerMessage[] = [];
  private waiters: (() => void)[] = [];
  private invalid: string | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(
    readonly ws: WebSocket,
    roomId: string,
    prove: HostKeyPair | false | undefined,
  ) {
    open.add(this);
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        open.delete(this);
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
    ws.on('message', (data) => {
      const parsed = parseServerMessage(data.toString());
      if (!parsed.ok) this.invalid = `server sent an invalid message: ${parsed.code} ${parsed.message}`;
      else if (parsed.message.type === 'challenge' && prove !== false) {
        const key = prove ?? roomHostKeys.get(roomId);
        this.received.push(parsed.message);
        if (key !== undefined) this.send(proofOf(roomId, parsed.message.nonce, key));
        else this.queue.push(parsed.message);
      } else {
        this.received.push(parsed.message);
        this.queue.push(parsed.message);
      }
      this.wake();
    });
  }

  /** Open `/ws/<roomId>` offering `sealroom.v1` and `auth.<credential>`; resolves once accepted. */
  static connect(base: string, roomId: string, credential: string | undefined, options: OpenOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/${roomId}`, options.protocols ?? wsSubprotocols(credential), {
      origin: options.origin ?? base,
      autoPong: options.autoPong ?? true,
      maxPayload: 1024 * 1024,
      ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
      ...(options.headers !== undefined ? { headers: options.headers } : {}),
    });
    const client = new TestClient(ws, roomId, options.prove);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** The next unread message of `type` (earlier messages of other types stay unread). */
  async next<T extends ServerMessageType>(type: T, timeoutMs = WAIT_MS): Promise<Msg<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.invalid !== undefined) throw new Error(this.invalid);
      const index = this.queue.findIndex((m) => m.type === type);
      if (index >= 0) return this.queue.splice(index, 1)[0] as Msg<T>;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} within ${timeoutMs} ms; unread: ${this.queue.map((m) => m.type).join(', ') || 'none'}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next unread message of `type` that satisfies `accept`; earlier ones of that type are dropped. */
  async until<T extends ServerMessageType>(type: T, accept: (m: Msg<T>) => boolean, timeoutMs = WAIT_MS): Promise<Msg<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.next(type, Math.max(1, deadline - Date.now()));
      if (accept(m)) return m;
    }
  }

  /** Resolves true if no unread message of `type` arrives within `ms`. */
  async nothing(type: ServerMessageType, ms = 200): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return !this.queue.some((m) => m.type === type);
  }

  async closeCode(timeoutMs = WAIT_MS): Promise<number> {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no close within ${timeoutMs} ms`)), timeoutMs));
    return (await Promise.race([this.closed, timeout])).code;
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  async close(code = 1000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(code);
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 1000))]);
    const state: number = this.ws.readyState; // changed while awaiting
    if (state !== WebSocket.CLOSED) this.ws.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** The HTTP status and body with which an upgrade is refused (fails if it is accepted). */
/** `origin: null` sends no Origin header. */
export function refusal(base: string, path: string, protocols: string[], origin: string | null = base): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}${path}`, protocols, origin !== null ? { origin } : {});
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => undefined);
  });
}

/** Opens the host and a guest, has the guest knock and the host admit it. */
export async function admitGuest(base: string, room: CreatedRoom, host: TestClient): Promise<{ guest: TestClient; id: string; resumeToken: string }> {
  const guest = await TestClient.connect(base, room.roomId, room.accessToken);
  const { participantId: id, resumeToken } = await guest.next('welcome');
  guest.send({ v: 1, type: 'knock', payload: 'c2VhbGVk' });
  const knock = await host.next('knock');
  if (knock.from !== id) throw new Error('knock from an unexpected participant');
  host.send({ v: 1, type: 'admit', participants: [id] });
  await guest.next('admitted');
  return { guest, id, resumeToken };
}
