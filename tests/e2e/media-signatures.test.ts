// [M1] Per-sender media authenticity. Every member derives every sender's SFrame key, so a member
// who has the SFU's help can seal frames under the host's KID and have them forwarded on the host's
// own track. Here the host's page plays that pair (test-forger.ts, audit flag only): every fifth VP8
// delta frame it sealed and signed goes out replaced by another frame under the same key and counter.
// Bob's page must not keep showing them as the host's: once a forged frame is seen it holds that
// sender's frames until its signed batch covers them, shows none of the forged ones from then on,
// the host's tile says the media is not signed by the host, and the host's genuine frames keep
// decoding. Then a lossy, reordering path (one frame in seven lost, pairs swapped, in the host's
// receiver transforms) under Bob's frames raises no alarm there: batches travel on the reliable
// in-call channel, so what the media path loses or reorders cannot make one look missing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { printLogs } from './harness/browser';
import { type Audit, audit, launchMember, type Member, ownId, remoteVideo } from './harness/members';
import { waitForMoreFrames } from './harness/media-probe';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { startCallOfTwo } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };

const key = (h: readonly string[]): string => `${h[0]}:${h[1]}`;

function shownForgeries(viewer: Audit, forger: Audit): string[] {
  const forged = new Set(forger.forged.map(key));
  return viewer.opened.map(key).filter((k) => forged.has(k));
}

function testMode(member: Member, mode: { mode: 'forge' | 'disorder'; every: number } | null): Promise<unknown> {
  return member.page.evaluate(`globalThis.sealroomTestMode(${JSON.stringify(mode)})`);
}

describe('[M1] media signed by its sender', () => {
  let server: TestServer | undefined;
  const people: Member[] = [];
  let alice: Member;
  let bob: Member;
  let aliceId: string;
  let bobId: string;

  beforeAll(async () => {
    server = await startTestServer();
    for (const [i, name] of ['alice', 'bob'].entries()) people.push(await launchMember(name, server.origin, PATTERNS[i]!));
    [alice, bob] = people as [Member, Member];
    await startCallOfTwo(alice.page, bob.page, server.origin, ['Alice', 'Bob'], WAIT);
    [aliceId, bobId] = [await ownId(alice.page), await ownId(bob.page)];
    await waitForMoreFrames(bob.page, remoteVideo(aliceId), 10, WAIT);
    await waitForMoreFrames(alice.page, remoteVideo(bobId), 10, WAIT);
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  it("stops showing frames a member forged under the host's key on the host's track, says so, and keeps the host's own", async () => {
    expect((await audit(bob.page)).stats.byParticipant[aliceId]?.opened).toBeGreaterThan(0);
    await testMode(alice, { mode: 'forge', every: 5 });
    await waitUntil('the host forged 20 frames', async () => (await audit(alice.page)).forged.length, (n) => n >= 20, WAIT);

    const early = shownForgeries(await audit(bob.page), await audit(alice.page));
    console.log(`[e2e] forgery: ${early.length} of the first forged frames opened on Bob's page as the host's`);
    // The tile says why, naming nobody but the host whose key was used.
    await bob.page.locator(`[data-testid=tile][data-participant="${aliceId}"][data-security=unsigned]`).waitFor({ timeout: 30_000 });
    const atAlarm = shownForgeries(await audit(bob.page), await audit(alice.page));
    const openedAtAlarm = (await audit(bob.page)).stats.byParticipant[aliceId]!.opened;

    // From then on: 30 more forgeries go out, none of them opens on Bob's page, the host's own frames do.
    const forgedAtAlarm = (await audit(alice.page)).forged.length;
    await waitUntil('30 more forged frames', async () => (await audit(alice.page)).forged.length, (n) => n >= forgedAtAlarm + 30, WAIT);
    await waitForMoreFrames(bob.page, remoteVideo(aliceId), 30, WAIT);
    const [viewer, forger] = [await audit(bob.page), await audit(alice.page)];
    const shown = shownForgeries(viewer, forger);
    console.log(`[e2e] signatures on Bob's page: ${JSON.stringify(viewer.stats.signatures)}`);
    console.log(`[e2e] forgery: ${forger.forged.length} forged frames sent, ${atAlarm.length} opened on Bob's page before the alarm, ${shown.length} in all`);
    expect(shown).toEqual(atAlarm);
    expect(shown.length).toBeLessThan(forger.forged.length / 4);
    expect(viewer.stats.byParticipant[aliceId]!.opened).toBeGreaterThan(openedAtAlarm + 30);
    expect(viewer.stats.signatures.byParticipant[aliceId]?.forged).toBeGreaterThan(0);
    expect(viewer.stats.signatures.refused).toEqual([]); // the host's own batches are fine: nobody is refused
    await bob.page.locator(`[data-testid=tile][data-participant="${aliceId}"] [data-testid=tile-problem]`).waitFor({ timeout: 5_000 });
    await testMode(alice, null);
  });

  it('raises no alarm for frames the network loses or reorders', async () => {
    const before = await audit(alice.page);
    const openedBefore = before.stats.byParticipant[bobId]!.opened;
    await testMode(alice, { mode: 'disorder', every: 7 });
    await waitUntil("300 more of Bob's frames open on Alice's page", async () => (await audit(alice.page)).stats.byParticipant[bobId]!.opened, (n) => n >= openedBefore + 300, WAIT);
    await testMode(alice, null);
    const [receiver, sender] = [await audit(alice.page), await audit(bob.page)];
    // Loss and reordering did happen on the way...
    const sent = new Set(sender.headers.map(key));
    const openedFromBob = receiver.opened.filter((h) => sent.has(key(h)));
    const lost = sender.headers.filter((h) => !new Set(receiver.opened.map(key)).has(key(h))).length;
    const reordered = openedFromBob.filter((h, i) => i > 0 && h[2] === openedFromBob[i - 1]![2] && BigInt(h[1]) < BigInt(openedFromBob[i - 1]![1])).length;
    // (With simulcast, layers Alice does not receive count as never opened too.)
    console.log(`[e2e] lossy path: ${lost} of Bob's frames (all layers) never opened, ${reordered} opened out of order`);
    expect(reordered).toBeGreaterThan(30);
    // ...and raised no alarm: nothing unsigned, nothing forged, Bob's tile is plainly encrypted.
    const bobs = receiver.stats.signatures.byParticipant[bobId];
    console.log(`[e2e] signatures on Alice's page: ${JSON.stringify(receiver.stats.signatures)}`);
    expect(bobs?.verified).toBeGreaterThan(300);
    expect(bobs?.unsigned).toBe(0);
    expect(bobs?.forged).toBe(0);
    await alice.page.locator(`[data-testid=tile][data-participant="${bobId}"][data-security=encrypted]`).waitFor({ timeout: 5_000 });
  });
});
