// [K1] The SFU cannot swap whose media is whose. Three members; a spy records Carol's camera as the
// SFU forwards it; then a raw publisher joins the SFU as Bob (LiveKit disconnects the real Bob, as a
// lying SFU may) and sends Carol's recorded SFrame frames on "Bob's" camera track. Every frame is
// authentic, under Carol's KID of the current epoch, so without the binding of KIDs to the signed
// member list they would open on Bob's tile (tests/unit/frame-cryptor.test.ts shows the Worker
// opening them on any track before the fix). Alice's page refuses them as wrong-sender, Bob's tile
// says so and never shows Carol's picture, and Carol's own tile keeps decrypting.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { printLogs } from './harness/browser';
import { audit, launchMember, type Member, ownId, remoteVideo } from './harness/members';
import { waitForMoreFrames } from './harness/media-probe';
import { PATTERNS } from './harness/pattern';
import { type RawPeers, startRawPeers } from './harness/rawpeer';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };

describe('an SFU that puts one member\'s frames on another member\'s track', () => {
  let server: TestServer | undefined;
  let peers: RawPeers | undefined;
  const people: Member[] = [];
  let alice: Member;
  let bob: Member;
  let carol: Member;

  beforeAll(async () => {
    server = await startTestServer();
    peers = await startRawPeers();
    for (const [i, name] of ['alice', 'bob', 'carol'].entries()) people.push(await launchMember(name, server.origin, PATTERNS[i]!));
    [alice, bob, carol] = people as [Member, Member, Member];
  });

  afterAll(async () => {
    await peers?.close();
    await Promise.all(people.map((p) => p.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  it("is refused on the other member's tile, which says so, while the real owner's tile keeps decrypting", async () => {
    const link = await createRoom(alice.page, server!.origin);
    const roomId = new URL(link).pathname.split('/').at(-1)!;
    await join(alice.page, 'Alice');
    for (const [i, m] of [bob, carol].entries()) {
      await m.page.goto(link);
      await join(m.page, i === 0 ? 'Bob' : 'Carol');
      await admitFirstKnock(alice.page);
      await waitForTiles(m.page, i + 2, WAIT);
    }
    const [bobId, carolId] = [await ownId(bob.page), await ownId(carol.page)];
    await waitForMoreFrames(alice.page, remoteVideo(carolId), 10, WAIT);

    // The SFU's operator records Carol's camera from its first forwarded frame (a key frame)...
    const spy = await peers!.startSpy(roomId, { identity: 'spy', maxFramesPerTrack: 150, retain: 'first' });
    await spy.waitForFrames({ identity: carolId, kind: 'video' }, 150, WAIT);
    const carolFrames = await spy.frames({ identity: carolId, kind: 'video' });
    expect(carolFrames.length).toBeGreaterThanOrEqual(150);
    // ...and re-publishes them as Bob's camera.
    await peers!.startReplayPublisher(roomId, bobId, carolFrames);

    const tally = (await waitUntil(
      "Alice's page refuses Carol's frames on Bob's track",
      async () => (await audit(alice.page)).stats.byParticipant[bobId],
      (t) => t !== undefined && t.wrongSender >= 30,
      WAIT,
    ))!;
    await alice.page.locator(`[data-testid=tile][data-participant="${bobId}"][data-security=wrong-sender]`).waitFor({ timeout: 10_000 });
    console.log(`[e2e] track swap: ${tally.wrongSender} of Carol's frames refused on Bob's track, ${tally.opened} frames opened there`);
    // Nothing of the swapped track opened after the swap began, and Carol's own tile goes on.
    const openedOnBob = tally.opened;
    await waitForMoreFrames(alice.page, remoteVideo(carolId), 30, WAIT);
    const later = (await audit(alice.page)).stats;
    expect(later.byParticipant[bobId]?.opened).toBe(openedOnBob);
    expect(later.byParticipant[carolId]?.wrongSender).toBe(0);
    expect(later.dropped['wrong-sender']).toBeGreaterThanOrEqual(30);
  });
});
