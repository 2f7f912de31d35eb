// Two Sealroom nodes as separate processes, one redis-server and HAProxy running deploy/haproxy.cfg,
// all on 127.0.0.1: a room is served by one node, its owner's death moves it to the other (members
// resume there), and an owner whose lease expired while it was paused can never write again.
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { wsSubprotocols } from '../../protocol/protocol';
import { roomKeys } from '../../server/redis-store';
import { admitGuest, closeAllClients, createRoom, refusal, TestClient } from './helpers';
import { freeLoopbackPort, startHaproxy, startNode, startTestRedis, stopAll, until, type Balancer, type NodeProcess, type TestRedis } from './cluster-kit';

// The default lease: long enough that a loaded machine's late renewals never let the other node take a live room.
const LEASE_MS = 3000;
let redis: TestRedis;
let lb: Balancer;
let nodes: NodeProcess[] = [];
let lbPort: number;
let ports: [number, number];

async function bootNode(port: number): Promise<NodeProcess> {
  const origins = [`http://127.0.0.1:${lbPort}`, ...ports.map((p) => `http://127.0.0.1:${p}`)].join(',');
  return startNode({ REDIS_URL: redis.url, ROOM_LEASE_MS: String(LEASE_MS), PUBLIC_ORIGINS: origins, TRUST_PROXY: 'loopback', ROOM_IDLE_TTL_SECONDS: '3600' }, port);
}

beforeAll(async () => {
  redis = await startTestRedis();
  lbPort = await freeLoopbackPort();
  ports = [await freeLoopbackPort(), await freeLoopbackPort()];
  nodes = await Promise.all(ports.map(bootNode));
  lb = await startHaproxy(lbPort, ports);
}, 200_000);
afterEach(closeAllClients);
afterAll(stopAll);

/** Which node's log says it opened a socket in this room (ids and events only are logged). */
async function ownerOf(roomId: string): Promise<NodeProcess> {
  return until(`a node to serve ${roomId}`, async () => {
    for (const n of nodes) if ((await n.log()).split('\n').some((l) => l.includes('"ws.open"') && l.includes(roomId))) return n;
    return undefined;
  });
}

/** Connect as a browser would after a drop: an upgrade refused while the room moves is tried again. */
async function reconnect(base: string, roomId: string, credential: string): Promise<TestClient> {
  return until('a reconnect to be accepted', () => TestClient.connect(base, roomId, credential).catch(() => undefined));
}

async function leaseHolder(roomId: string): Promise<string | null> {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    return await client.get(roomKeys(roomId).lease);
  } finally {
    await client.close();
  }
}

// Liveness bounds, not speed claims: child processes start slowly on a loaded two-core machine.
describe('two nodes behind haproxy', { timeout: 120_000 }, () => {
  it('puts members who enter through the balancer into one room on one node, and refuses the other node clearly', async () => {
    const room = await createRoom(lb.base); // any node
    const host = await TestClient.connect(lb.base, room.roomId, room.hostCredential);
    await host.next('welcome');
    const { guest, id } = await admitGuest(lb.base, room, host);
    guest.send({ v: 1, type: 'relay', to: 'all', payload: 'aGk' });
    expect(await host.next('relay')).toMatchObject({ from: id, payload: 'aGk' });
    const owner = await ownerOf(room.roomId);
    const other = nodes.find((n) => n !== owner)!;
    // Straight to the node that does not serve it, while the owner has sockets: a clear 503 to retry.
    const refused = await refusal(other.base, `/ws/${room.roomId}`, wsSubprotocols(room.accessToken));
    expect(refused).toEqual({ status: 503, body: 'another node serves this room; try again\n' });
    // The room's status reads the same through either node.
    for (const base of [owner.base, other.base]) {
      const res = await fetch(`${base}/api/rooms/${room.roomId}`, { headers: { authorization: `Bearer ${room.accessToken}` } });
      expect(await res.json()).toMatchObject({ roomId: room.roomId, hostPresent: true });
    }
  });

  it('refuses a socket at the node that created a room once another node took it, before that node next renews', async () => {
    const [creator, taker] = nodes as [NodeProcess, NodeProcess];
    const room = await createRoom(creator.base); // served by its creator, with nobody connected
    const host = await TestClient.connect(taker.base, room.roomId, room.hostCredential); // takes the idle room
    await host.next('welcome');
    const { guest } = await admitGuest(taker.base, room, host); // now the taker serves connected members
    guest.send({ v: 1, type: 'relay', to: 'all', payload: 'aGk' });
    await host.next('relay');
    // The creator still holds the room in memory; it must not take a socket for it (a split room).
    const refused = await refusal(creator.base, `/ws/${room.roomId}`, wsSubprotocols(room.accessToken));
    expect(refused).toEqual({ status: 503, body: 'another node serves this room; try again\n' });
  });

  it('moves a call to the other node when its owner is SIGKILLed: members resume there in the next epoch', async () => {
    const room = await createRoom(lb.base);
    const host = await TestClient.connect(lb.base, room.roomId, room.hostCredential);
    const hostResume = (await host.next('welcome')).resumeToken;
    const { guest, id, resumeToken } = await admitGuest(lb.base, room, host);
    host.send({ v: 1, type: 'commit', epoch: 0, commit: 'Y29tbWl0LTA', envelopes: { [id]: 'ZW52LTA' } });
    expect(await guest.next('commit')).toMatchObject({ epoch: 0 });
    const owner = await ownerOf(room.roomId);

    const killedAt = performance.now();
    await owner.kill();
    const again = await reconnect(lb.base, room.roomId, resumeToken);
    expect(await again.next('welcome')).toMatchObject({ participantId: id, role: 'member' });
    const takeoverMs = performance.now() - killedAt;
    console.log(`takeover: owner SIGKILLed -> first member resumed on the other node in ${takeoverMs.toFixed(0)} ms (lease ${LEASE_MS} ms)`);
    const survivor = nodes.find((n) => n !== owner)!;
    expect(await leaseHolder(room.roomId)).not.toBeNull();

    const host2 = await reconnect(lb.base, room.roomId, hostResume);
    expect(await host2.next('welcome')).toMatchObject({ role: 'host' });
    again.send({ v: 1, type: 'sync', afterEpoch: 0 });
    expect((await again.next('commits')).commits).toEqual([]);
    host2.send({ v: 1, type: 'commit', epoch: 1, commit: 'Y29tbWl0LTE', envelopes: { [id]: 'ZW52LTE' } });
    expect(await again.next('commit')).toMatchObject({ epoch: 1, envelope: 'ZW52LTE' });
    expect((await survivor.log()).includes(`"room.loaded","room":"${room.roomId}"`)).toBe(true);

    // Bring the killed node back for the next test.
    nodes[nodes.indexOf(owner)] = await bootNode(owner.port);
    await until('both nodes answering again', async () => ((await fetch(`${nodes[0]!.base}/api/health`).then((r) => r.ok, () => false)) && (await fetch(`${nodes[1]!.base}/api/health`).then((r) => r.ok, () => false)) ? true : undefined));
  });

  it('fences an owner whose lease expired while it was paused: its commit is never stored, its sockets move', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const room = await createRoom(a.base);
    const host = await TestClient.connect(a.base, room.roomId, room.hostCredential);
    const hostResume = (await host.next('welcome')).resumeToken;
    const { guest, id, resumeToken } = await admitGuest(a.base, room, host);
    host.send({ v: 1, type: 'commit', epoch: 0, commit: 'Y29tbWl0LTA', envelopes: { [id]: 'ZW52LTA' } });
    await guest.next('commit');

    a.child.kill('SIGSTOP');
    await until('the paused owner lease to expire', async () => ((await leaseHolder(room.roomId)) === null ? true : undefined));
    const moved = await reconnect(b.base, room.roomId, resumeToken); // b takes the room over from Redis
    expect(await moved.next('welcome')).toMatchObject({ participantId: id });
    // The paused owner still believes it serves the room; its host sends a commit into it.
    host.send({ v: 1, type: 'commit', epoch: 1, commit: 'c3RhbGU', envelopes: { [id]: 'c3RhbGU' } });
    a.child.kill('SIGCONT');
    expect(await host.closeCode()).toBe(1013); // the stale owner let the room go: reconnect
    moved.send({ v: 1, type: 'sync' });
    expect((await moved.next('commits')).commits.map((c) => c.epoch)).toEqual([0]); // the stale commit never landed
    // Epoch 1 is still free for the host, now on b.
    const host2 = await reconnect(b.base, room.roomId, hostResume);
    expect(await host2.next('welcome')).toMatchObject({ role: 'host' });
    host2.send({ v: 1, type: 'commit', epoch: 1, commit: 'Z2VudWluZQ', envelopes: { [id]: 'Z2VudWluZQ' } });
    expect(await moved.next('commit')).toMatchObject({ epoch: 1, commit: 'Z2VudWluZQ' });
  });
});
