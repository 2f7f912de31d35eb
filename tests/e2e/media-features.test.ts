// Screen sharing and the effects on one's own media, in a real two-person call over the loopback
// LiveKit, watched by a spy (a raw LiveKit subscriber with a token minted from the API key and no
// Sealroom keys).
//
// What this proves:
//   - a shared screen decodes for the other member, large, with the sharer's name (screen-share
//     view), and the SFU gets only SFrame ciphertext under the call's KIDs for its video and audio,
//     from their first frame, none of which WebCodecs can decode;
//   - background blur, the virtual background and noise suppression (the browser's, and RNNoise)
//     switch on and off on the sender's own track while the receiver keeps decoding its frames; the
//     receiver's picture shows the effect (soft edges with blur, no pattern with the backdrop).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseProtectedFrame, payloadBytes, resemblesPattern, shannonEntropy, type Quadrants } from './harness/analysis';
import { printLogs } from './harness/browser';
import { callCode, launchMember, type Member, ownId, remoteVideo } from './harness/members';
import { centreEdgeSharpness, inboundAudio, senderTracks, waitForMoreFrames } from './harness/media-probe';
import { callView, chooseSetting } from './harness/media-ui';
import { PATTERNS, sampleVideo } from './harness/pattern';
import { frameBytes, type RawPeer, type RawPeers, startRawPeers } from './harness/rawpeer';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 500 };
/** Chromium's fake screen (harness/browser.ts's flags): dark green, with a light green disc in the middle. */
const FAKE_SCREEN: Quadrants = [
  [0, 128, 0],
  [0, 128, 0],
  [0, 128, 0],
  [0, 128, 0],
];
/** A hard edge as sent keeps most of its step within 1/80 of the width; a blurred one does not. */
const SHARP = 0.75;
const BLURRED = 0.5;
const MIN_ENTROPY = 7.9;
/** totalAudioEnergy a second of the fake microphone's beep adds at the least, with any processing. */
const MIN_ENERGY_PER_SECOND = 0.005;

describe('screen sharing and media effects in an encrypted call', () => {
  let server: TestServer | undefined;
  let peers: RawPeers | undefined;
  let spy: RawPeer;
  let host: Member;
  let guest: Member;
  const members: Member[] = [];
  let guestId = '';
  let inCall = false;

  beforeAll(async () => {
    server = await startTestServer();
    peers = await startRawPeers();
    host = await launchMember('host', server.origin, PATTERNS[0]!);
    guest = await launchMember('guest', server.origin, PATTERNS[1]!);
    members.push(host, guest);
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await peers?.close();
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs([...members, ...(spy ? [spy.participant] : [])]));
  });

  function requireCall(): void {
    if (!inCall) throw new Error('the call was not established (see the first test)');
  }

  /** The host decodes `more` frames of the guest's camera beyond what it had. */
  const hostKeepsDecodingGuest = (more: number) => waitForMoreFrames(host.page, remoteVideo(guestId), more, WAIT);

  it('lets the guest in; both decode each other', async () => {
    const link = await createRoom(host.page, server!.origin);
    spy = await peers!.startSpy(new URL(link).pathname.split('/').at(-1)!, { identity: 'spy', maxFramesPerTrack: 300, retain: 'first' });
    await join(host.page, 'Alice');
    await guest.page.goto(link);
    await join(guest.page, 'Bob');
    await admitFirstKnock(host.page);
    for (const m of members) await waitForTiles(m.page, 2, WAIT);
    guestId = await ownId(guest.page);
    await waitUntil("the host sees the guest's pattern", () => sampleVideo(host.page, remoteVideo(guestId)), (s) => resemblesPattern(s, guest.pattern.quadrants), WAIT);
    inCall = true;
  });

  it("shows the guest's shared screen large with the guest's name, and the SFU only ciphertext of it", async () => {
    requireCall();
    const before = new Set((await spy.tracks()).map((t) => t.trackSid));
    await guest.page.getByTestId('toggle-screen').click();
    await waitUntil('the guest sharing', () => guest.page.getByTestId('toggle-screen').getAttribute('data-on', { timeout: 1000 }), (on) => on === 'true', WAIT);

    const screen = host.page.locator(`[data-testid=screen-share][data-participant="${guestId}"]`);
    await screen.waitFor({ state: 'visible', timeout: WAIT.timeoutMs });
    expect(await callView(host.page)).toBe('screen');
    expect(await screen.getByTestId('screen-name').textContent()).toBe('Bob is presenting');
    const screenVideo = `[data-testid=screen-share][data-participant="${guestId}"] video`;
    const decoded = await waitForMoreFrames(host.page, screenVideo, 30, WAIT);
    const sample = await waitUntil("the host seeing the guest's fake screen", () => sampleVideo(host.page, screenVideo), (s) => resemblesPattern(s, FAKE_SCREEN), WAIT);
    expect(sample.sourceWidth).toBeGreaterThan(sample.sourceHeight);
    // The screen is the big picture; the guest's camera tile is in the strip below it.
    const [screenBox, tileBox] = await Promise.all([screen.boundingBox(), host.page.locator(`[data-testid=tile][data-participant="${guestId}"]`).boundingBox()]);
    expect(screenBox!.width * screenBox!.height).toBeGreaterThan(4 * tileBox!.width * tileBox!.height);
    console.log(`[e2e] host decoded ${decoded.frames} screen frames, ${sample.sourceWidth}x${sample.sourceHeight}`);

    // The spy sees the screen's new video and audio tracks, and each of their frames is SFrame
    // under a KID of the guest (sender index 1, an epoch of this call), from the first one.
    const { epoch } = await callCode(guest.page);
    const kids = new Set(Array.from({ length: epoch + 1 }, (_, e) => (BigInt(e) << 6n) | 1n));
    const added = await waitUntil(
      "the spy recording the guest's screen video and audio",
      async () => (await spy.tracks()).filter((t) => t.identity === guestId && !before.has(t.trackSid) && t.kept >= 60),
      (tracks) => tracks.some((t) => t.kind === 'video') && tracks.some((t) => t.kind === 'audio'),
      WAIT,
    );
    for (const track of added) {
      const frames = (await spy.frames({ trackSid: track.trackSid! })).filter((f) => f.byteLength > 0);
      const bytes = frames.map(frameBytes);
      for (const b of bytes) parseProtectedFrame(track.kind, b, { kids });
      const entropy = shannonEntropy(payloadBytes(track.kind, bytes, 'after-clear-prefix'));
      console.log(`[e2e] spy: screen ${track.kind}: ${bytes.length} frames, entropy ${entropy.toFixed(4)} bits/byte`);
      if (track.kind === 'video') {
        expect(entropy).toBeGreaterThan(MIN_ENTROPY);
        const attempts = await spy.decodeVideo(frames);
        expect(attempts.length).toBeGreaterThan(0);
        for (const a of attempts) if (a.outcome === 'image') expect(resemblesPattern(a.sample, FAKE_SCREEN)).toBe(false);
      }
    }

    await guest.page.getByTestId('toggle-screen').click();
    await waitUntil('the host back in the grid', () => callView(host.page), (view) => view === 'grid', WAIT);
    expect(await host.page.getByTestId('screen-share').count()).toBe(0);
  });

  it('blurs or replaces the background on the sending side and back, while the receiver keeps decoding', async () => {
    requireCall();
    const camera = remoteVideo(guestId);
    const cameraLabel = (await senderTracks(guest.page)).find((t) => t.kind === 'video' && t.width !== null && t.width < 1000)?.label;
    expect(await centreEdgeSharpness(host.page, camera)).toBeGreaterThan(SHARP);

    await chooseSetting(guest.page, 'background-select', 'blur', WAIT);
    await waitUntil('the guest sending a processed camera track', async () => (await senderTracks(guest.page)).filter((t) => t.kind === 'video').map((t) => t.label), (labels) => !labels.includes(cameraLabel!), WAIT);
    await hostKeepsDecodingGuest(30);
    const blurred = await waitUntil("the host seeing the guest's background blurred", () => centreEdgeSharpness(host.page, camera), (s) => s < BLURRED, WAIT);
    // Blur keeps each quadrant's colour: it is still the guest's picture.
    expect(resemblesPattern(await sampleVideo(host.page, camera), guest.pattern.quadrants)).toBe(true);

    await chooseSetting(guest.page, 'background-select', 'virtual', WAIT);
    await hostKeepsDecodingGuest(30);
    await waitUntil('the host seeing the virtual background instead of the pattern', () => sampleVideo(host.page, camera), (s) => !resemblesPattern(s, guest.pattern.quadrants), WAIT);

    await chooseSetting(guest.page, 'background-select', 'off', WAIT);
    await waitUntil('the guest sending the camera itself again', async () => (await senderTracks(guest.page)).filter((t) => t.kind === 'video').map((t) => t.label), (labels) => labels.includes(cameraLabel!), WAIT);
    await hostKeepsDecodingGuest(30);
    const sharp = await waitUntil('the host seeing sharp edges again', () => centreEdgeSharpness(host.page, camera), (s) => s > SHARP, WAIT);
    await waitUntil("the host seeing the guest's pattern again", () => sampleVideo(host.page, camera), (s) => resemblesPattern(s, guest.pattern.quadrants), WAIT);
    console.log(`[e2e] edge sharpness at the host: blurred ${blurred.toFixed(2)}, off ${sharp.toFixed(2)}`);
  });

  it("switches noise suppression between off, the browser's and RNNoise while the receiver keeps decoding audio", async () => {
    requireCall();
    const mic = async () => (await senderTracks(guest.page)).find((t) => t.kind === 'audio' && t.deviceId !== null);
    const micLabel = (await mic())?.label;
    expect(micLabel).toBeTruthy();
    // One more second of the guest's audio decoded at the host (48 000 samples), and not silence:
    // its energy grows by more than comfort noise would (the fake microphone beeps; RNNoise lets a
    // steady tone through, softer: measured +0.23 off, +0.05 RNNoise, +0.12 the browser's).
    const hostHearsMore = async (what: string) => {
      const before = await inboundAudio(host.page);
      const after = await waitUntil(
        `the host decoding another second of sound (${what})`,
        () => inboundAudio(host.page),
        (now) => now.samples >= before.samples + 48_000 && now.energy > before.energy + MIN_ENERGY_PER_SECOND,
        WAIT,
      );
      console.log(`[e2e] noise suppression ${what}: audio energy +${(after.energy - before.energy).toExponential(2)} over ${after.samples - before.samples} samples`);
    };

    await chooseSetting(guest.page, 'noise-select', 'off', WAIT);
    await waitUntil("the guest's microphone without the browser's noise suppression", mic, (t) => t?.noiseSuppression === false, WAIT);
    await hostHearsMore('off');

    await chooseSetting(guest.page, 'noise-select', 'enhanced', WAIT);
    // RNNoise's output is a Web Audio track: the sender no longer carries the microphone itself.
    const processed = await waitUntil('the guest sending RNNoise output', async () => (await senderTracks(guest.page)).filter((t) => t.kind === 'audio'), (tracks) => tracks.length > 0 && tracks.every((t) => t.label !== micLabel), WAIT);
    expect(processed.every((t) => t.readyState === 'live')).toBe(true);
    await hostHearsMore('RNNoise');

    await chooseSetting(guest.page, 'noise-select', 'browser', WAIT);
    await waitUntil("the guest's microphone with the browser's noise suppression", mic, (t) => t?.label === micLabel && t?.noiseSuppression === true, WAIT);
    await hostHearsMore("the browser's");
    expect((await callCode(guest.page)).epoch).toBeGreaterThanOrEqual(1);
  });
});
