// Reconnection of an encrypted two-person call, with the drops made on the wire, not in the client:
//   - the guest's signaling socket is reset by a TCP proxy in front of the Sealroom server
//     (socket-proxy.ts), as a network drop would;
//   - the guest's LiveKit signal connection is reset by a relay in front of LiveKit (livekit-relay.ts):
//     livekit-client resumes and restarts ICE;
//   - the same, but the relay then answers the guest's resumes with 401 (what LiveKit says to a token
//     it no longer accepts): livekit-client gives up and Sealroom reconnects from scratch with a fresh
//     token, new peer connections and so new senders and receivers, each with its SFrame transform.
//
// What this proves: after each, both members decode each other's pictures again within 5 s of the
// new connection, under the same epoch or the next, and the guest never knocks again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resemblesPattern } from './harness/analysis';
import { printLogs } from './harness/browser';
import { startLiveKitRelay, type LiveKitRelay, type RelayConnection } from './harness/livekit-relay';
import { callCode, launchMember, type Member, ownId, remoteVideo } from './harness/members';
import { peerConnections, waitForMoreFrames } from './harness/media-probe';
import { PATTERNS, sampleVideo } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { startSocketProxy, type SocketProxy } from './harness/socket-proxy';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };
/** The promise: decoding both ways again within this long of the new connection. */
const BACK_WITHIN = { timeoutMs: 5_000, intervalMs: 100 };

describe('an encrypted call through dropped connections', () => {
  let server: TestServer | undefined;
  let relay: LiveKitRelay;
  const proxies: SocketProxy[] = [];
  const members: Member[] = [];
  let host: Member;
  let guest: Member;
  const ids = new Map<Member, string>();
  let epoch = -1;
  let inCall = false;

  beforeAll(async () => {
    relay = await startLiveKitRelay();
    for (let i = 0; i < 2; i++) proxies.push(await startSocketProxy());
    server = await startTestServer({ origins: proxies.map((p) => p.origin), liveKitUrl: relay.url });
    for (const proxy of proxies) proxy.forwardTo(server.port);
    host = await launchMember('host', proxies[0]!.origin, PATTERNS[0]!);
    guest = await launchMember('guest', proxies[1]!.origin, PATTERNS[1]!);
    members.push(host, guest);
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await server?.close();
    await Promise.all(proxies.map((p) => p.close()));
    await relay?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(members));
  });

  function requireCall(): void {
    if (!inCall) throw new Error('the call was not established (see the first test)');
  }

  /** Both members decode 15 more frames of each other, showing each other's pattern, within `options`. */
  async function decodingBothWays(options = BACK_WITHIN): Promise<void> {
    await Promise.all(
      [
        [host, guest],
        [guest, host],
      ].map(async ([viewer, sender]) => {
        const video = remoteVideo(ids.get(sender!)!);
        await waitForMoreFrames(viewer!.page, video, 15, options);
        await waitUntil(`${viewer!.name} seeing ${sender!.name}'s pattern`, () => sampleVideo(viewer!.page, video, 1000), (s) => resemblesPattern(s, sender!.pattern.quadrants), options);
      }),
    );
  }

  /** Still in the call, no knock anywhere, both on the same epoch: the one before or the next. */
  async function sameCall(): Promise<void> {
    expect(await guest.page.getByTestId('lobby-state').count()).toBe(0);
    expect(await host.page.getByTestId('knock').count()).toBe(0);
    const [a, b] = await Promise.all([callCode(host.page), callCode(guest.page)]);
    expect(a).toEqual(b);
    expect([epoch, epoch + 1]).toContain(a.epoch);
    epoch = a.epoch;
  }

  const signal = (after: number, resume: boolean) => (c: RelayConnection) => c.identity === ids.get(guest) && c.seq > after && c.resume === resume && !c.path.endsWith('/validate');
  const lastSeq = () => relay.accepted.at(-1)?.seq ?? 0;
  const status = (m: Member, attribute: 'data-call-status' | 'data-signaling') => m.page.getByTestId('call-view').getAttribute(attribute, { timeout: 1000 });

  it('starts the call through the proxies; both decode each other', async () => {
    const link = await createRoom(host.page, proxies[0]!.origin);
    await join(host.page, 'Alice');
    await guest.page.goto(link.replace(proxies[0]!.origin, proxies[1]!.origin));
    await join(guest.page, 'Bob');
    await admitFirstKnock(host.page);
    for (const m of members) {
      await waitForTiles(m.page, 2, WAIT);
      ids.set(m, await ownId(m.page));
    }
    await decodingBothWays(WAIT);
    epoch = (await callCode(guest.page)).epoch;
    inCall = true;
  });

  it('resumes the signaling socket after a reset, without a new knock', async () => {
    requireCall();
    const sockets = proxies[1]!.sockets;
    const cutAt = Date.now();
    proxies[1]!.cut();
    await waitUntil('a new signaling socket from the guest', () => proxies[1]!.sockets, (n) => n > sockets, WAIT);
    await waitUntil('the guest welcomed again', () => status(guest, 'data-signaling'), (s) => s === 'open', WAIT);
    const resumedAt = Date.now();
    await decodingBothWays();
    console.log(`[e2e] signaling reset: socket back after ${resumedAt - cutAt} ms, decoding both ways ${Date.now() - resumedAt} ms later`);
    await sameCall();
  });

  it('resumes LiveKit with an ICE restart after its signal connection is reset', async () => {
    requireCall();
    const before = await peerConnections(guest.page);
    const after = lastSeq();
    const cutAt = Date.now();
    expect(relay.cut((c) => c.identity === ids.get(guest))).toBeGreaterThan(0);
    await waitUntil('a resume through the relay', () => relay.accepted.filter(signal(after, true)).length, (n) => n > 0, WAIT);
    const restarted = await waitUntil('new ICE credentials on the guest', () => peerConnections(guest.page), (pcs) => pcs.ufrags.some((u) => !before.ufrags.includes(u)), WAIT);
    await waitUntil('the guest connected again', () => status(guest, 'data-call-status'), (s) => s === 'connected', WAIT);
    const resumedAt = Date.now();
    expect(restarted.made).toBe(before.made); // the same peer connections, restarted
    await decodingBothWays();
    console.log(`[e2e] LiveKit signal reset: resumed with an ICE restart after ${resumedAt - cutAt} ms, decoding both ways ${Date.now() - resumedAt} ms later`);
    await sameCall();
  });

  it('reconnects from scratch with a fresh token when LiveKit refuses the resume', async () => {
    requireCall();
    const before = await peerConnections(guest.page);
    const after = lastSeq();
    const stopRefusing = relay.refuse((c) => c.identity === ids.get(guest) && c.resume);
    const cutAt = Date.now();
    try {
      relay.cut((c) => c.identity === ids.get(guest));
      await waitUntil('a fresh join (not a resume) through the relay', () => relay.accepted.filter(signal(after, false)).length, (n) => n > 0, WAIT);
    } finally {
      stopRefusing();
    }
    const joinedAt = Date.now();
    expect(relay.accepted.filter(signal(after, true)).length).toBeGreaterThan(0); // it did try to resume first
    await decodingBothWays(WAIT);
    const back = Date.now() - joinedAt;
    const pcs = await peerConnections(guest.page);
    console.log(`[e2e] LiveKit resume refused: fresh join after ${joinedAt - cutAt} ms, decoding both ways ${back} ms later, peer connections ${before.made} -> ${pcs.made}`);
    expect(pcs.made).toBeGreaterThan(before.made); // a new peer connection: new senders and receivers
    expect(back).toBeLessThanOrEqual(BACK_WITHIN.timeoutMs);
    await sameCall();
  });

  it('tells a member who was removed while its socket was away that it was removed', async () => {
    requireCall();
    // The guest's signaling socket goes silent both ways; the server still counts it connected.
    proxies[1]!.stall('to-server');
    proxies[1]!.stall('to-browser');
    const guestId = ids.get(guest)!;
    await host.page.locator(`[data-testid=member][data-participant="${guestId}"] [data-testid=remove-member]`).click();
    await waitUntil('the host sees the guest gone', () => host.page.getByTestId('member').count(), (n) => n === 1, WAIT);
    // The network comes back: the guest's resume token now answers "removed".
    proxies[1]!.cut();
    const said = await waitUntil('the guest told', () => guest.page.getByTestId('lobby-state').getAttribute('data-state', { timeout: 1000 }), (s) => s === 'removed', WAIT);
    expect(said).toBe('removed');
    expect(await guest.page.getByTestId('lobby-state').textContent()).toMatch(/removed you/);
  });
});
