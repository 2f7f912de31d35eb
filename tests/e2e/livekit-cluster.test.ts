// Two LiveKit v1.13.5 nodes on one Redis (tests/e2e/harness/cluster.ts), with a balancer in front of
// their signal ports that puts each participant on its own node, the way a load balancer in front
// of a LiveKit cluster spreads participants. The Sealroom server hands out the balancer's URL.
//
// What this proves: members whose LiveKit signal connections reach DIFFERENT nodes are in one
// LiveKit room (either node lists both) and decode each other's SFrame-encrypted media, which goes
// to the room's node; a raw spy joining through the other node gets both members' video as SFrame
// only; and every node, and the Redis, listen on loopback only.
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { printLogs } from './harness/browser';
import { type MediaCluster, startMediaCluster } from './harness/cluster';
import { waitForDecodedVideo } from './harness/frames';
import { allConnected, peerConnectionIce } from './harness/ice';
import { nonLoopbackListeners } from './harness/listeners';
import { audit, callCode, launchMember, type Member, ownId, remoteVideo } from './harness/members';
import { PATTERNS, sampleVideo } from './harness/pattern';
import { parseProtectedFrame, resemblesPattern } from './harness/analysis';
import { frameBytes, type RawPeers, startRawPeers } from './harness/rawpeer';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const MEDIA_WAIT = { timeoutMs: 60_000, intervalMs: 500 };

describe('a call across two LiveKit nodes on one Redis', () => {
  let cluster: MediaCluster | undefined;
  let server: TestServer | undefined;
  const members: Member[] = [];
  const ids = new Map<Member, string>();
  let roomId = '';
  /** The UDP port both members send their media to: the port of the node that hosts the room. */
  let roomMediaPort = 0;
  let peers: RawPeers | undefined;
  let inCall = false;

  beforeAll(async () => {
    const started = performance.now();
    cluster = await startMediaCluster({ liveKitNodes: 2, balancer: true });
    const { livekit, balancer } = cluster;
    const ready = livekit.nodes.map((node) => `${node.readyMs} ms`).join(', ');
    console.log(`[e2e] redis + 2 LiveKit nodes up in ${Math.round(performance.now() - started)} ms (each node ready after ${ready})`);
    server = await startTestServer({ liveKit: { url: balancer!.url, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret, local: true } });
    members.push(await launchMember('host', server.origin, PATTERNS[0]!), await launchMember('guest', server.origin, PATTERNS[1]!));
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await peers?.close();
    await server?.close();
    await cluster?.stop();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(async () => {
      printLogs(members);
      for (const [i, node] of (cluster?.livekit.nodes ?? []).entries()) console.error(`--- LiveKit node ${i} ---\n${await node.logTail(20)}`);
    });
  });

  function requireCall(): void {
    if (!inCall) throw new Error('the call was not established (see the first test)');
  }

  it("connects each member's LiveKit signal to a different node, and both decode each other's encrypted media", async () => {
    const [host, guest] = members as [Member, Member];
    const link = await createRoom(host.page, server!.origin);
    roomId = new URL(link).pathname.split('/').at(-1)!;
    await join(host.page, 'Alice');
    await guest.page.goto(link);
    await join(guest.page, 'Bob');
    await admitFirstKnock(host.page);
    for (const m of members) {
      await waitForTiles(m.page, 2, MEDIA_WAIT);
      ids.set(m, await ownId(m.page));
    }
    for (const [viewer, sender] of [[host, guest], [guest, host]] as const) {
      await waitForDecodedVideo(viewer.page, 2, MEDIA_WAIT);
      await waitUntil(`${viewer.name} sees ${sender.name}'s pattern`, () => sampleVideo(viewer.page, remoteVideo(ids.get(sender)!)), (s) => resemblesPattern(s, sender.pattern.quadrants), MEDIA_WAIT);
      expect((await audit(viewer.page)).stats.decrypted).toBeGreaterThan(0);
    }
    // Every LiveKit connection of one member went to one node, and the two members' to different nodes.
    const nodesOf = (m: Member) => new Set(cluster!.balancer!.accepted.filter((c) => c.identity === ids.get(m)).map((c) => c.upstream));
    const [hostNodes, guestNodes] = [nodesOf(host), nodesOf(guest)];
    expect(hostNodes.size).toBe(1);
    expect(guestNodes.size).toBe(1);
    expect([...hostNodes, ...guestNodes].sort()).toEqual(cluster!.livekit.nodes.map((n) => n.url).sort());
    inCall = true;
  });

  it('is one LiveKit room: either node lists both members in it', async () => {
    requireCall();
    const { livekit } = cluster!;
    for (const node of livekit.nodes) {
      const client = new RoomServiceClient(node.url.replace(/^ws/, 'http'), livekit.apiKey, livekit.apiSecret);
      const listed = await client.listParticipants(roomId);
      expect(listed.map((p) => p.identity).sort()).toEqual([...ids.values()].sort());
    }
  });

  it("sends both members' media to one node, the room's, whichever node their signal reached", async () => {
    requireCall();
    const udpPorts = cluster!.livekit.nodes.map((node) => node.ports.udpPort);
    const mediaPorts = new Set<number>();
    for (const m of members) {
      const connections = await waitUntil(`${m.name}'s connected peer connections`, () => peerConnectionIce(m.page), allConnected, MEDIA_WAIT);
      for (const pc of connections) mediaPorts.add(pc.remote!.port);
    }
    expect(mediaPorts.size).toBe(1);
    roomMediaPort = [...mediaPorts][0]!;
    expect(udpPorts).toContain(roomMediaPort);
  });

  it('gives a raw participant on the node that does not host the room only SFrame frames of both members', async () => {
    requireCall();
    const { livekit } = cluster!;
    const other = livekit.nodes.find((node) => node.ports.udpPort !== roomMediaPort);
    if (other === undefined) throw new Error('no node other than the room\'s (see the previous test)');
    peers = await startRawPeers({ url: other.url, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret });
    const spy = await peers.startSpy(roomId, { maxFramesPerTrack: 60, retain: 'latest' });
    expect(spy.urls.filter((url) => url.startsWith('ws')).every((url) => url.startsWith(other.url))).toBe(true);
    for (const id of ids.values()) await spy.waitForFrames({ kind: 'video', identity: id }, 30, MEDIA_WAIT);
    const { epoch } = await callCode(members[0]!.page);
    const kids = new Set(Array.from({ length: epoch + 1 }, (_, e) => [0n, 1n].map((index) => (BigInt(e) << 6n) | index)).flat());
    const frames = (await spy.frames({ kind: 'video' })).filter((f) => f.byteLength > 0);
    expect(new Set(frames.map((f) => f.identity))).toEqual(new Set(ids.values()));
    // Throws, naming the frame, unless it is SFrame under a KID of the call.
    for (const f of frames) parseProtectedFrame('video', frameBytes(f), { kids });
  });

  it('runs every LiveKit node and the Redis on loopback only', async () => {
    requireCall();
    for (const node of cluster!.livekit.nodes) expect(await nonLoopbackListeners(node.pid)).toEqual([]);
    expect(await nonLoopbackListeners(cluster!.redis.pid)).toEqual([]);
  });
});
