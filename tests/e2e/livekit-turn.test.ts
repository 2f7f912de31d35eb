// Media through LiveKit's own TURN server, relay-only: a LiveKit with its embedded TURN on loopback
// UDP (scripts/livekit/config.ts `turn`), a Sealroom server with LIVEKIT_FORCE_RELAY, so its grants
// say iceServers 'default' (use what LiveKit hands out: its TURN URL and per-participant
// credentials in the join response) and iceTransportPolicy 'relay'.
//
// What this proves: the client uses the ICE servers the deployment hands out (no test hook sets
// them), relay-only is honoured (every peer connection is configured so, and its selected
// candidate pair's local candidate is a relay candidate on 127.0.0.1), and frames still decode.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freeLoopbackPorts } from '../../scripts/livekit/ports';
import { type LiveKitHandle, startLiveKit } from '../../scripts/livekit/process';
import { resemblesPattern } from './harness/analysis';
import { printLogs } from './harness/browser';
import { waitForDecodedVideo } from './harness/frames';
import { allConnected, peerConnectionIce } from './harness/ice';
import { nonLoopbackListeners } from './harness/listeners';
import { audit, launchMember, type Member, ownId, remoteVideo } from './harness/members';
import { PATTERNS, sampleVideo } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const MEDIA_WAIT = { timeoutMs: 60_000, intervalMs: 500 };
/** Below Linux's ephemeral range (32768–60999), so no client socket of the run sits in it. */
const RELAY_PORTS = [21000, 21031] as const;

describe("a relay-only call through LiveKit's embedded TURN", () => {
  let livekit: LiveKitHandle | undefined;
  let server: TestServer | undefined;
  const members: Member[] = [];
  const ids = new Map<Member, string>();
  let turnPort = 0;
  let inCall = false;

  beforeAll(async () => {
    const [port, udpPort, turnUdpPort] = (await freeLoopbackPorts(3)) as [number, number, number];
    turnPort = turnUdpPort;
    const binary = process.env['LIVEKIT_SERVER_BIN'];
    livekit = await startLiveKit({ ...(binary ? { binary } : {}), config: { ports: { port, udpPort }, turn: { udpPort: turnUdpPort, relayPorts: RELAY_PORTS } } });
    server = await startTestServer({ liveKit: { url: livekit.url, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret, forceRelay: true } });
    members.push(await launchMember('host', server.origin, PATTERNS[0]!), await launchMember('guest', server.origin, PATTERNS[1]!));
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await server?.close();
    await livekit?.stop();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(async () => {
      printLogs(members);
      console.error(`--- LiveKit ---\n${(await livekit?.logTail(20)) ?? ''}`);
    });
  });

  function requireCall(): void {
    if (!inCall) throw new Error('the call was not established (see the first test)');
  }

  it("decodes each other's encrypted media with relay candidates only", async () => {
    const [host, guest] = members as [Member, Member];
    const link = await createRoom(host.page, server!.origin);
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
    inCall = true;
  });

  it("uses LiveKit's TURN server and a relay candidate on every peer connection", async () => {
    requireCall();
    for (const m of members) {
      const connections = await waitUntil(`${m.name}'s connected peer connections, each with a selected pair`, () => peerConnectionIce(m.page), allConnected, MEDIA_WAIT);
      for (const pc of connections) {
        expect(pc.policy).toBe('relay');
        // What LiveKit handed out in its join response, not a list the test or the client made up.
        expect(pc.iceServerUrls).toContain(`turn:127.0.0.1:${turnPort}?transport=udp`);
        expect(pc.local).toMatchObject({ type: 'relay', address: '127.0.0.1' });
        expect(pc.local!.port).toBeGreaterThanOrEqual(RELAY_PORTS[0]);
        expect(pc.local!.port).toBeLessThanOrEqual(RELAY_PORTS[1]);
        expect(pc.remote).toMatchObject({ address: '127.0.0.1', port: livekit!.ports.udpPort });
      }
    }
  });

  it('runs the TURN-enabled LiveKit on loopback only', async () => {
    requireCall();
    expect(await nonLoopbackListeners(livekit!.pid)).toEqual([]);
  });
});
