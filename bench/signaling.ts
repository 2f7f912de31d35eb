// `npm run bench -- signaling`: one signaling node under a bounded relay load on loopback.
//
// The server runs in a child process (bench/signaling-server.ts) with a core to itself; this
// process is the load client. For each size it creates rooms of 50 over HTTP like a host's browser
// does, connects the host and 49 members per room over real WebSockets, admits them, and then has
// every member relay an in-call message to all at a fixed rate (one every ~10 s, so 10,000 sockets
// offer about 50,000 deliveries a second, the target). A payload carries its send time; a
// delivery's latency is measured when the recipient reads it (same process, same clock). Sizes
// come from SEALROOM_BENCH_SIGNALING_SIZES (default 1000,5000,10000); every socket is closed after
// each size, and the load lasts SEALROOM_BENCH_SIGNALING_SECONDS (default 10). The node keeps rooms
// in its own memory, or in a redis-server on loopback with SEALROOM_BENCH_SIGNALING_STORE=redis
// (every join and admit is then written to Redis before it is answered). A second table measures
// the takeover of a room of 50 when its node is SIGKILLed (bench/signaling-takeover.ts), for the
// leases in SEALROOM_BENCH_TAKEOVER_LEASES_MS (default: the product's 3000, and 1000).
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { fromBase64Url, sodiumReady, toBase64Url } from '../crypto/index';
import { wsSubprotocols } from '../protocol/protocol';
import { ROOM_LEASE_MS } from '../protocol/limits';
import { type CreatedRoom, createRoom, proofOf } from '../tests/server/helpers';
import { startTestRedis, stopAll } from '../tests/server/cluster-kit';
import { type BenchSection, type Cell } from './section';
import { measureTakeover } from './signaling-takeover';

const ROOM_SIZE = 50;
/** Relays per member per second: 10,000 sockets x 0.102 x 49 recipients ≈ 50,000 deliveries/s. */
const RELAYS_PER_MEMBER_PER_SECOND = 50_000 / (10_000 * (ROOM_SIZE - 1));
const TICK_MS = 10;

interface Usage {
  readonly cpuMicros: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly at: number;
}

class ServerChild {
  private readonly child: ChildProcess;
  private waiting: ((value: unknown) => void)[] = [];
  readonly port: Promise<number>;

  constructor(env: Record<string, string>) {
    this.child = fork(fileURLToPath(new URL('./signaling-server.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
    this.port = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.on('message', (m: { type: string; port?: number }) => {
        if (m.type === 'ready') resolve(m.port as number);
        else this.waiting.shift()?.(m);
      });
    });
  }

  usage(): Promise<Usage> {
    return new Promise((resolve) => {
      this.waiting.push(resolve as (value: unknown) => void);
      this.child.send({ type: 'usage' });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ type: 'stop' });
    });
  }
}

/** One lean socket: counts what it reads and records the latency of relays. */
class Peer {
  id = '';
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  private welcomed!: () => void;
  readonly welcome = new Promise<void>((resolve) => (this.welcomed = resolve));
  private settled!: () => void;
  /** Admitted: the server answered the admit with a grant. */
  readonly admitted = new Promise<void>((resolve) => (this.settled = resolve));

  /**
   * `localAddress`: a loopback address of its own (lobby places are counted per address, as they
   * would be for people on their own machines); `room` given: the host, which proves the room's key.
   */
  constructor(base: string, roomId: string, credential: string, localAddress: string, onRelay: (sentAt: number) => void, room?: CreatedRoom) {
    this.ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/${roomId}`, wsSubprotocols(credential), { origin: base, perMessageDeflate: false, localAddress });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    });
    this.ws.on('message', (data) => {
      const text = data.toString();
      // Relays dominate: read their send time without a full parse of anything else first.
      if (text.includes('"type":"relay"')) {
        const m = JSON.parse(text) as { payload: string };
        onRelay(new DataView(fromBase64Url(m.payload).buffer).getFloat64(0));
        return;
      }
      const m = JSON.parse(text) as { type: string; participantId?: string; nonce?: string };
      if (m.type === 'challenge' && room !== undefined) this.ws.send(JSON.stringify(proofOf(room.roomId, m.nonce as string, room.hostKey)));
      else if (m.type === 'welcome') {
        this.id = m.participantId as string;
        this.welcomed();
      } else if (m.type === 'admitted') this.settled();
    });
  }

  relay(now: number): void {
    const payload = new Uint8Array(12);
    new DataView(payload.buffer).setFloat64(0, now);
    this.ws.send(JSON.stringify({ v: 1, type: 'relay', to: 'all', payload: toBase64Url(payload) }));
  }
}

async function inBatches<T>(items: readonly T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}

async function runSize(server: ServerChild, base: string, sockets: number, seconds: number, idle: Usage, store: string): Promise<Record<string, Cell>> {
  const rooms = Math.ceil(sockets / ROOM_SIZE);
  const latencies = new Float64Array(Math.ceil(sockets * RELAYS_PER_MEMBER_PER_SECOND * (ROOM_SIZE - 1) * (seconds + 5)) + 1024);
  let received = 0;
  let measuring = false;
  const onRelay = (sentAt: number) => {
    if (!measuring) return;
    if (received < latencies.length) latencies[received] = performance.now() - sentAt;
    received++;
  };
  const all: Peer[] = [];
  const members: Peer[] = [];
  await inBatches([...Array(rooms).keys()], 10, async (r) => {
    const room = await createRoom(base);
    const address = (i: number) => `127.${1 + (r >> 8)}.${r & 255}.${1 + i}`;
    const host = new Peer(base, room.roomId, room.hostCredential, address(0), onRelay, room);
    await host.opened;
    await host.welcome;
    const guests = Array.from({ length: ROOM_SIZE - 1 }, (_, i) => new Peer(base, room.roomId, room.accessToken, address(i + 1), onRelay));
    await Promise.all(guests.map(async (g) => (await g.opened, await g.welcome)));
    host.ws.send(JSON.stringify({ v: 1, type: 'admit', participants: guests.map((g) => g.id) }));
    await Promise.all(guests.map((g) => g.admitted));
    all.push(host, ...guests);
    members.push(...guests);
  });
  const connected = await server.usage();

  // The load: every member relays at the fixed rate; a late tick sends what is due by now.
  const rate = members.length * RELAYS_PER_MEMBER_PER_SECOND;
  let next = 0;
  let sent = 0;
  measuring = true;
  const clientStart = process.cpuUsage();
  const before = await server.usage();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.floor((rate * Math.min(now - t0, seconds * 1000)) / 1000);
      while (sent < due) {
        members[next % members.length]!.relay(now);
        next++;
        sent++;
      }
      if (now - t0 >= seconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  await new Promise((resolve) => setTimeout(resolve, 1000)); // what is in flight arrives
  const after = await server.usage();
  const elapsed = (after.at - before.at) / 1000;
  const client = process.cpuUsage(clientStart);
  measuring = false;
  for (const peer of all) peer.ws.terminate();
  await new Promise((resolve) => setTimeout(resolve, 500));

  const samples = latencies.slice(0, Math.min(received, latencies.length)).sort();
  return {
    store,
    sockets: all.length,
    rooms,
    'offered deliveries/s': Math.round((sent * (ROOM_SIZE - 1)) / seconds),
    'delivered/s': Math.round(received / seconds),
    'p50 ms': percentile(samples, 0.5),
    'p99 ms': percentile(samples, 0.99),
    'server CPU % of a core': (100 * (after.cpuMicros - before.cpuMicros)) / 1e6 / elapsed,
    'server RSS MB': connected.rss / 2 ** 20,
    'KB per socket': (connected.rss - idle.rss) / 1024 / all.length,
    'client CPU %': (100 * (client.user + client.system)) / 1e6 / elapsed,
  };
}

export async function run(): Promise<BenchSection> {
  const sizes = (process.env['SEALROOM_BENCH_SIGNALING_SIZES'] ?? '1000,5000,10000').split(',').map(Number);
  const seconds = Number(process.env['SEALROOM_BENCH_SIGNALING_SECONDS'] ?? '10');
  const store = process.env['SEALROOM_BENCH_SIGNALING_STORE'] === 'redis' ? 'redis' : 'memory';
  const leases = (process.env['SEALROOM_BENCH_TAKEOVER_LEASES_MS'] ?? `${ROOM_LEASE_MS},1000`).split(',').map(Number);
  await sodiumReady();
  const rows: Record<string, Cell>[] = [];
  try {
    const redis = store === 'redis' ? await startTestRedis() : undefined;
    const server = new ServerChild(redis !== undefined ? { REDIS_URL: redis.url } : {});
    const base = `http://127.0.0.1:${await server.port}`;
    try {
      const idle = await server.usage();
      for (const size of sizes) rows.push(await runSize(server, base, size, seconds, idle, store));
    } finally {
      await server.stop();
    }
  } finally {
    await stopAll();
  }
  // Takeover: its own columns, one row per lease.
  for (const lease of leases) rows.push(await measureTakeover(lease));
  return {
    name: 'signaling',
    title: `One signaling node, rooms of ${ROOM_SIZE}, every member relaying to all every ${(1 / RELAYS_PER_MEMBER_PER_SECOND).toFixed(1)} s (${seconds} s per size)`,
    rows,
    notes: [
      'Server in its own process on loopback (LiveKit named, not running: grants are minted offline); this process is the load client, one loopback address per socket. Targets: 10,000 sockets and 50,000 deliveries/s with p99 < 50 ms.',
      'KB per socket: server RSS with all sockets connected, less its RSS before the first size, per socket (includes the rooms).',
      'When client CPU nears 100 %, the client, not the server, limits the delivered rate and the latency.',
      `Takeover rows: a room of 50 on node A of two node processes sharing one redis-server; A is SIGKILLed and all 50 reconnect to B with their resume tokens at once (no client backoff). first/all resumed: SIGKILL to the first/last welcome on B. Bounded by the lease (ROOM_LEASE_MS, ${ROOM_LEASE_MS} ms in the product).`,
    ],
  };
}
