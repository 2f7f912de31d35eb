// Takeover time for `npm run bench -- signaling` (decision 0020): two Sealroom node processes on one
// redis-server (all on 127.0.0.1), a room of 50 (host and 49 admitted members) on node A; node A is
// SIGKILLed, and every member reconnects to node B with its resume token at once, as a browser does
// after a drop (without its backoff). Measured: from the SIGKILL to the first member's welcome on B,
// and to the last one's. Node B waits out A's lease before it loads the room, so the lease bounds it.
import { performance } from 'node:perf_hooks';
import { createRoom, TestClient } from '../tests/server/helpers';
import { startNode, startTestRedis, stopAll, until } from '../tests/server/cluster-kit';
import type { Cell } from './section';

const ROOM_SIZE = 50;

export async function measureTakeover(leaseMs: number): Promise<Record<string, Cell>> {
  try {
    const redis = await startTestRedis();
    const env = { REDIS_URL: redis.url, ROOM_LEASE_MS: String(leaseMs) };
    const [a, b] = await Promise.all([startNode(env), startNode(env)]);
    const room = await createRoom(a.base);
    const host = await TestClient.connect(a.base, room.roomId, room.hostCredential);
    const hostWelcome = await host.next('welcome');
    // One loopback address per member, as people on their own machines (lobby places count per address).
    const guests = await Promise.all(Array.from({ length: ROOM_SIZE - 1 }, (_, i) => TestClient.connect(a.base, room.roomId, room.accessToken, { localAddress: `127.0.1.${i + 1}` })));
    const welcomes = await Promise.all(guests.map((g) => g.next('welcome')));
    host.send({ v: 1, type: 'admit', participants: welcomes.map((w) => w.participantId) });
    await Promise.all(guests.map((g) => g.next('admitted')));
    const tokens = [hostWelcome.resumeToken, ...welcomes.map((w) => w.resumeToken)];

    const killedAt = performance.now();
    await a.kill();
    const resumedAt = await Promise.all(
      tokens.map(async (token) => {
        const client = await until('a resume on node B', () => TestClient.connect(b.base, room.roomId, token).catch(() => undefined), 60_000);
        await client.next('welcome');
        const at = performance.now() - killedAt;
        await client.close();
        return at;
      }),
    );
    return { 'lease ms': leaseMs, members: ROOM_SIZE, 'first resumed ms': Math.min(...resumedAt), 'all resumed ms': Math.max(...resumedAt) };
  } finally {
    await stopAll();
  }
}
