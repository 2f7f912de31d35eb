// A three-person call mixing engines over the real loopback LiveKit: a Firefox host, a Chromium
// guest and a Firefox guest, watched from the first frame by the spy (a raw LiveKit participant
// with no Sealroom keys, harness/rawpeer.ts). Then the SFU lets in a clear publisher, and the host
// removes the Firefox guest.
//
// What this proves (SECURITY.md, claims table; README, supported browsers):
//   - every member decodes every other across engines (a Chromium member's Y4M pattern, a Firefox
//     member's fake camera: harness/fake-camera.ts) and the three show one call code;
//   - the SFU gets only SFrame ciphertext from the Firefox senders, from the very first frame of
//     each of their tracks, under the call's KIDs, as from Chromium;
//   - Firefox fails closed: the clear publisher gets no tile in a Firefox page, its frames are
//     dropped and counted, and no picture there shows its pattern;
//   - Firefox shares its screen: Chromium and Firefox viewers decode it (Xvfb's white screen, so a
//     black, dead picture fails), and the SFU gets only SFrame of it;
//   - removing a member rekeys across engines: the two left show one new code and decode each other
//     under the new epoch's keys.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseProtectedFrame, payloadBytes, resemblesPattern, shannonEntropy } from './harness/analysis';
import { printLogs } from './harness/browser';
import { type EngineMember, launchEngineMember, waitForSendersPicture } from './harness/engine-members';
import { admitKnock, attribute, callCodeIn, count, createRoomIn, joinAs, ownIdIn, testid, waitForCount, waitForEncryptedTiles, waitForEpochIn, waitForTilesIn } from './harness/engine-ui';
import type { Engine } from './harness/engines';
import { audit, kidEpoch, remoteVideo } from './harness/members';
import { PATTERNS, sampleVideo, writePatternY4m } from './harness/pattern';
import { frameBytes, type RawPeer, type RawPeers, startRawPeers } from './harness/rawpeer';
import { startTestServer, type TestServer } from './harness/server';
import { waitForMoreFrames } from './harness/media-probe';
import { waitForDecodedVideo } from './harness/stats';
import { startVirtualDisplay, type VirtualDisplay } from './harness/xvfb';
import { waitUntil } from './harness/wait';
import type { RecordedFrame } from './rawpeer/api';

const WAIT = { timeoutMs: 60_000, intervalMs: 500 };
const MIN_ENTROPY = 7.9;
const CAST: readonly { engine: Engine; name: string; displayName: string }[] = [
  { engine: 'firefox', name: 'firefox-host', displayName: 'Alice' },
  { engine: 'chromium', name: 'chromium-guest', displayName: 'Bob' },
  { engine: 'firefox', name: 'firefox-guest', displayName: 'Carol' },
];

/** What Firefox captures of Xvfb's screen (-wr: a white root window). */
const WHITE_SCREEN = [[255, 255, 255], [255, 255, 255], [255, 255, 255], [255, 255, 255]] as const;

const dropped = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('a three-person call mixing Firefox and Chromium, watched by the SFU', () => {
  let server: TestServer | undefined;
  let peers: RawPeers | undefined;
  let spy: RawPeer | undefined;
  let screen: VirtualDisplay | undefined;
  const members: EngineMember[] = [];
  const ids = new Map<EngineMember, string>();
  let roomId = '';
  let inCall = false;

  beforeAll(async () => {
    server = await startTestServer();
    peers = await startRawPeers();
    screen = await startVirtualDisplay();
    // The Firefox guest shares the virtual display's screen.
    for (const [i, cast] of CAST.entries()) {
      members.push(await launchEngineMember(cast.engine, cast.name, server.origin, PATTERNS[i]!, i === 2 ? { display: screen.display } : {}));
    }
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await peers?.close();
    await server?.close();
    await screen?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs([...members, ...(spy ? [spy.participant] : [])]));
  });

  function requireCall(): [EngineMember, EngineMember, EngineMember] {
    if (!inCall) throw new Error('the call was not established (see the first test)');
    return members as [EngineMember, EngineMember, EngineMember];
  }

  it('lets a Chromium and a Firefox guest in to a Firefox host; all three show one call code', async () => {
    const [host, ...guests] = members as [EngineMember, EngineMember, EngineMember];
    const link = await createRoomIn(host.page, server!.origin);
    roomId = new URL(link).pathname.split('/').at(-1)!;
    // In the SFU room before anyone publishes: it sees every track from its first frame.
    spy = await peers!.startSpy(roomId, { identity: 'spy', maxFramesPerTrack: 300, retain: 'first' });
    await joinAs(host.page, CAST[0]!.displayName);
    for (const [i, guest] of guests.entries()) {
      await guest.page.goto(link);
      await joinAs(guest.page, CAST[i + 1]!.displayName);
      await admitKnock(host.page);
    }
    for (const m of members) {
      await waitForTilesIn(m.page, 3, WAIT);
      ids.set(m, await ownIdIn(m.page));
    }
    const codes = await Promise.all(members.map((m) => waitUntil(`${m.name}'s code for epoch 2`, () => callCodeIn(m.page), (c) => c.epoch === 2, WAIT)));
    expect(new Set(codes.map((c) => c.digits)).size).toBe(1);
    inCall = true;
  });

  it("shows every other member's camera in each tile, whatever the two engines", async () => {
    requireCall();
    for (const viewer of members) {
      await waitForDecodedVideo(viewer.page, 30, WAIT);
      for (const sender of members.filter((m) => m !== viewer)) await waitForSendersPicture(viewer, remoteVideo(ids.get(sender)!), sender, WAIT);
      expect((await audit(viewer.page)).stats.decrypted).toBeGreaterThan(0);
      await waitForEncryptedTiles(viewer.page, 2, WAIT);
    }
  });

  it('gives the SFU only SFrame under the call KIDs from the Firefox senders, from the first frame of every track', async () => {
    requireCall();
    await spy!.waitForFrames({ kind: 'video' }, 60, WAIT);
    await spy!.waitForFrames({ kind: 'audio' }, 60, WAIT);
    const byTrack = new Map<string, RecordedFrame[]>();
    for (const f of await spy!.frames()) if (f.trackSid !== null && f.byteLength > 0) byTrack.set(f.trackSid, [...(byTrack.get(f.trackSid) ?? []), f]);
    const firefoxIds = new Set(members.filter((m) => m.engine === 'firefox').map((m) => ids.get(m)!));
    const owners = new Set([...byTrack.values()].map((list) => list[0]!.identity));
    expect(owners).toEqual(new Set(ids.values()));
    const kids = new Set([0, 1, 2].flatMap((epoch) => [0, 1, 2].map((index) => (BigInt(epoch) << 6n) | BigInt(index))));
    const fromFirefox: { kind: 'audio' | 'video'; bytes: Uint8Array }[] = [];
    for (const list of byTrack.values()) {
      const { kind, identity } = list[0]!;
      const bytes = list.map(frameBytes);
      // Throws, naming the frame, unless every frame, the first one included, is SFrame under a call KID.
      for (const b of bytes) parseProtectedFrame(kind, b, { kids });
      if (identity !== null && firefoxIds.has(identity)) fromFirefox.push(...bytes.map((b) => ({ kind, bytes: b })));
    }
    for (const kind of ['video', 'audio'] as const) {
      const frames = fromFirefox.filter((f) => f.kind === kind).map((f) => f.bytes);
      const entropy = shannonEntropy(payloadBytes(kind, frames, 'after-clear-prefix'));
      console.log(`[e2e] spy: ${frames.length} ${kind} frames from Firefox senders, entropy after the clear prefix ${entropy.toFixed(4)} bits/byte`);
      expect(frames.length).toBeGreaterThan(30);
      expect(entropy).toBeGreaterThan(MIN_ENTROPY);
    }
  });

  it('renders nothing in Firefox of a publisher the SFU lets in without keys, and counts its dropped frames', async () => {
    requireCall();
    const firefox = members.filter((m) => m.engine === 'firefox');
    const before = await Promise.all(firefox.map(async (m) => (await audit(m.page)).stats));
    const liar = await peers!.startClearPublisher(roomId, { identity: 'liar', fakeVideo: await writePatternY4m(PATTERNS[3]!) });
    try {
      for (const [i, m] of firefox.entries()) {
        await waitUntil(`${m.name}'s strangers notice`, () => attribute(m.page, testid('strangers'), 'data-count'), (n) => n === '1', WAIT);
        const after = await waitUntil(
          `${m.name} drops the clear publisher's frames`,
          async () => (await audit(m.page)).stats,
          (s) => dropped(s.dropped) > dropped(before[i]!.dropped) + 30,
          WAIT,
        );
        console.log(`[e2e] ${m.name} (firefox) dropped ${dropped(after.dropped) - dropped(before[i]!.dropped)} frames since the liar joined: ${JSON.stringify(after.dropped)}`);
        expect(await count(m.page, `${testid('tile')}[data-participant="liar"]`)).toBe(0);
        await waitUntil(`${m.name}'s refused-frames notice`, () => count(m.page, testid('refused-frames')), (n) => n === 1, WAIT);
        expect(await count(m.page, testid('tile'))).toBe(3);
        expect(await count(m.page, 'video')).toBe(3);
        // The only pictures there are the members' own.
        for (const sender of members.filter((other) => other !== m)) {
          const { sample } = await waitForSendersPicture(m, remoteVideo(ids.get(sender)!), sender, WAIT);
          expect(resemblesPattern(sample, PATTERNS[3]!.quadrants)).toBe(false);
        }
      }
    } finally {
      await liar.close();
    }
  });

  it("shows the Firefox guest's shared screen to Chromium and Firefox, and the SFU only ciphertext of it", async () => {
    const [host, chromiumGuest, sharer] = requireCall();
    const sharerId = ids.get(sharer)!;
    const before = new Set((await spy!.tracks()).map((t) => t.trackSid));
    await sharer.page.click(testid('toggle-screen'));
    await waitUntil(`${sharer.name} sharing`, () => attribute(sharer.page, testid('toggle-screen'), 'data-on'), (on) => on === 'true', WAIT);
    const video = `${testid('screen-share')}[data-participant="${sharerId}"] video`;
    for (const viewer of [host, chromiumGuest]) {
      const decoded = await waitForMoreFrames(viewer.page, video, 30, WAIT);
      const sample = await waitUntil(`${viewer.name} (${viewer.engine}) seeing the white screen`, () => sampleVideo(viewer.page, video), (s) => resemblesPattern(s, WHITE_SCREEN), WAIT);
      console.log(`[e2e] ${viewer.name} (${viewer.engine}) decoded ${decoded.frames} frames of the shared screen, ${sample.sourceWidth}x${sample.sourceHeight}`);
    }
    const { epoch } = await callCodeIn(sharer.page);
    const kids = new Set(Array.from({ length: epoch + 1 }, (_, e) => [0, 1, 2].map((index) => (BigInt(e) << 6n) | BigInt(index))).flat());
    const [track] = await waitUntil(
      "the spy recording the shared screen's video",
      async () => (await spy!.tracks()).filter((t) => t.identity === sharerId && t.kind === 'video' && !before.has(t.trackSid) && t.kept >= 30),
      (tracks) => tracks.length > 0,
      WAIT,
    );
    const frames = (await spy!.frames({ trackSid: track!.trackSid! })).filter((f) => f.byteLength > 0);
    // Every frame, the first one included, is SFrame under a call KID; none decodes into the screen.
    // (A still white screen makes frames too small for an entropy measure to mean much.)
    for (const f of frames) parseProtectedFrame('video', frameBytes(f), { kids });
    const attempts = await spy!.decodeVideo(frames);
    const images = attempts.flatMap((a) => (a.outcome === 'image' ? [a.sample] : []));
    console.log(`[e2e] spy: ${frames.length} frames of the Firefox screen share, all SFrame; ${images.length} of ${attempts.length} decode attempts gave a picture`);
    expect(attempts.length).toBeGreaterThan(0);
    expect(images.filter((sample) => resemblesPattern(sample, WHITE_SCREEN))).toEqual([]);
    await sharer.page.click(testid('toggle-screen'));
    for (const viewer of [host, chromiumGuest]) await waitForCount(viewer.page, testid('screen-share'), 0, WAIT);
  });

  it('rekeys when the host removes the Firefox guest: the two left show one new code and decode each other under it', async () => {
    const [host, chromiumGuest, firefoxGuest] = requireCall();
    await host.page.click(`${testid('member')}[data-participant="${ids.get(firefoxGuest)}"] ${testid('remove-member')}`);
    await waitUntil(`${firefoxGuest.name} told it was removed`, () => attribute(firefoxGuest.page, testid('lobby-state'), 'data-state'), (s) => s === 'removed', WAIT);
    const left = [host, chromiumGuest] as const;
    const codes = await Promise.all(left.map((m) => waitForEpochIn(m.page, 3, WAIT)));
    expect(codes.map((c) => c.epoch)).toEqual([3, 3]);
    expect(codes[1]!.digits).toBe(codes[0]!.digits);
    for (const [viewer, sender] of [[host, chromiumGuest], [chromiumGuest, host]] as const) {
      await waitForTilesIn(viewer.page, 2, WAIT);
      const decryptedIn = async (epoch: number) =>
        Object.entries((await audit(viewer.page)).stats.decryptedByKid)
          .filter(([kid]) => kidEpoch(kid) === epoch)
          .reduce((sum, [, n]) => sum + n, 0);
      await waitUntil(`${viewer.name} decrypting epoch 3 frames`, () => decryptedIn(3), (n) => n > 30, WAIT);
      await waitForSendersPicture(viewer, remoteVideo(ids.get(sender)!), sender, WAIT);
      expect((await audit(viewer.page)).sendingEpoch).toBe(3);
    }
  });
});
