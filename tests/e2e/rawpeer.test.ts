// The raw LiveKit peer, the security tests' measuring tool, checked against clear media where every
// check must come out the other way: a clear publisher (no transform, a Y4M pattern as camera) and a
// hidden spy join one LiveKit room directly; the spy's recording decodes with WebCodecs into the
// publisher's pattern, falls short of random bytes in entropy and does not parse as SFrame. The same
// frames, SFrame-protected here in Node as Sealroom's sender would, turn every check around. So when
// the checks pass on a Sealroom call, it is the encryption, not the tooling, that made them pass.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { protectMediaFrame, SFrameSender } from '../../crypto/index';
import type { RecordedFrame } from './rawpeer/api';
import {
  NotProtectedError,
  parseProtectedStream,
  patternDistance,
  payloadBytes,
  quadrantColours,
  resemblesPattern,
  shannonEntropy,
  uniformEntropyBaseline,
} from './harness/analysis';
import { printLogs } from './harness/browser';
import { PATTERNS, sampleVideo, writePatternY4m } from './harness/pattern';
import { frameBytes, type RawPeer, type RawPeers, startRawPeers } from './harness/rawpeer';
import { waitUntil } from './harness/wait';

const MEDIA_WAIT = { timeoutMs: 60_000, intervalMs: 500 };
const VIDEO_FRAMES = 90;
const AUDIO_FRAMES = 100;
const LOOPBACK = /^127\.\d+\.\d+\.\d+$/;
/** Bits per byte by which clear VP8 of the pattern must fall short of random bytes (measured: about 0.19). */
const VIDEO_ENTROPY_MARGIN = 0.05;
/** Sealroom's KID layout: epoch 1, sender 0. */
const KID = 1n << 6n;

describe('the raw LiveKit peer, on clear media', () => {
  const room = `rawpeer-${randomBytes(6).toString('hex')}`;
  const [pattern, otherPattern] = PATTERNS;
  let peers: RawPeers;
  let spy: RawPeer;
  let publisher: RawPeer;
  const started: RawPeer[] = [];
  let video: RecordedFrame[] = [];
  let audio: RecordedFrame[] = [];

  beforeAll(async () => {
    peers = await startRawPeers();
    const fakeVideo = await writePatternY4m(pattern!);
    spy = await peers.startSpy(room, { identity: 'spy-1' });
    started.push(spy);
    publisher = await peers.startClearPublisher(room, { identity: 'clear-1', fakeVideo });
    started.push(publisher);
  });

  afterAll(async () => {
    await peers?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(started.map((peer) => peer.participant)));
  });

  function requireRecording(): void {
    if (video.length === 0 || audio.length === 0) throw new Error('nothing was recorded (see the first test)');
  }

  it("records the clear publisher's video and audio frames as LiveKit forwards them", async () => {
    expect(publisher.published.map((track) => track.kind).sort()).toEqual(['audio', 'video']);
    await spy.waitForFrames({ identity: 'clear-1', kind: 'video' }, VIDEO_FRAMES, MEDIA_WAIT);
    await spy.waitForFrames({ identity: 'clear-1', kind: 'audio' }, AUDIO_FRAMES, MEDIA_WAIT);
    video = await spy.frames({ identity: 'clear-1', kind: 'video' });
    audio = await spy.frames({ identity: 'clear-1', kind: 'audio' });
    const { metadata, ...first } = video[0]!;
    console.log(`[e2e] spy recorded ${video.length} video and ${audio.length} audio frames; first video frame:`, JSON.stringify({ ...first, data: `${first.data.length} base64 chars` }), 'metadata:', JSON.stringify(metadata));
    console.log('[e2e] first audio frame metadata:', JSON.stringify(audio[0]!.metadata));

    const sids = (frames: RecordedFrame[]) => [...new Set(frames.map((frame) => frame.trackSid))];
    expect(sids(video)).toEqual([publisher.published.find((track) => track.kind === 'video')?.trackSid]);
    expect(sids(audio)).toEqual([publisher.published.find((track) => track.kind === 'audio')?.trackSid]);
    // LiveKit starts forwarding a video track at a key frame; VP8 key frames carry the picture size.
    // The receiver hands frames to its transform as they are assembled, so a delta whose packets all
    // came can overtake a key frame that waited for a retransmit (seen under load): the frame the
    // SFU forwarded first is the one with the earliest RTP timestamp, not the first to arrive.
    expect(video.every((frame) => frame.rtpTimestamp !== null)).toBe(true);
    const sinceFirst = (frame: RecordedFrame) => ((frame.rtpTimestamp! - video[0]!.rtpTimestamp!) << 0);
    const earliest = video.reduce((a, b) => (sinceFirst(b) < sinceFirst(a) ? b : a));
    expect(earliest.type).toBe('key');
    expect([earliest.metadata['width'], earliest.metadata['height']]).toEqual([640, 360]);
    expect(video.every((frame) => frame.byteLength === frameBytes(frame).length)).toBe(true);
  });

  it("decodes the recording with WebCodecs into the publisher's pattern (the check's positive control)", async () => {
    requireRecording();
    const started = performance.now();
    const attempts = await spy.decodeVideo(video);
    const images = attempts.flatMap((attempt) => (attempt.outcome === 'image' ? [attempt.sample] : []));
    const distances = images.map((sample) => Math.round(patternDistance(sample, pattern!.quadrants)));
    console.log(`[e2e] decoded ${images.length} of ${attempts.length} attempts in ${Math.round(performance.now() - started)} ms; distances to the pattern: ${distances.join(' ')}`);
    console.log(`[e2e] last picture's quadrants: ${JSON.stringify(quadrantColours(images.at(-1)!).map((rgb) => rgb.map(Math.round)))}, pattern ${JSON.stringify(pattern!.quadrants)}`);
    expect(attempts.filter((attempt) => attempt.outcome === 'error')).toEqual([]);
    expect(images.length).toBeGreaterThan(VIDEO_FRAMES / 2);
    expect(images.filter((sample) => !resemblesPattern(sample, pattern!.quadrants))).toEqual([]);
    expect(images.filter((sample) => resemblesPattern(sample, otherPattern!.quadrants))).toEqual([]);
  });

  it("shows the pattern in the spy's own <video> of the publisher", async () => {
    const sample = await sampleVideo(spy.participant.page, 'video[data-identity="clear-1"]');
    console.log(`[e2e] spy <video> ${sample.sourceWidth}x${sample.sourceHeight}, distance to the pattern ${patternDistance(sample, pattern!.quadrants).toFixed(1)}`);
    expect(resemblesPattern(sample, pattern!.quadrants)).toBe(true);
  });

  it('finds clear video below the entropy of random bytes, and clear media not shaped like SFrame', () => {
    requireRecording();
    const videoBytes = video.map(frameBytes);
    const audioBytes = audio.map(frameBytes);
    const measured = (kind: 'video' | 'audio', frames: Uint8Array[]) => {
      const bytes = payloadBytes(kind, frames, 'after-clear-prefix');
      return { bytes: bytes.length, entropy: shannonEntropy(bytes), random: uniformEntropyBaseline(bytes.length) };
    };
    const entropy = { video: measured('video', videoBytes), audio: measured('audio', audioBytes) };
    console.log('[e2e] entropy after the clear prefix, bits per byte (random bytes of that length would give `random`):', JSON.stringify(entropy));
    // VP8 and Opus are entropy-coded: far above 7.5. Video still falls clearly short of random bytes
    // (about 0.2 bit); Opus by less (0.06 to 0.09 bit in our runs, depending on the sound), so audio is
    // not judged by entropy here.
    expect(entropy.video.entropy).toBeLessThan(entropy.video.random - VIDEO_ENTROPY_MARGIN);
    expect(() => parseProtectedStream('video', videoBytes)).toThrow(NotProtectedError);
    expect(() => parseProtectedStream('audio', audioBytes)).toThrow(NotProtectedError);
  });

  it('turns every check around on the same frames SFrame-protected as a Sealroom sender would', async () => {
    requireRecording();
    const sender = new SFrameSender();
    await sender.addKey(KID, new Uint8Array(randomBytes(32)));
    const protectedVideo: RecordedFrame[] = [];
    for (const frame of video) {
      const sent = await protectMediaFrame({ sender, kid: KID, codec: 'vp8', frame: frameBytes(frame) });
      protectedVideo.push({ ...frame, byteLength: sent.length, data: Buffer.from(sent).toString('base64') });
    }
    const sentBytes = protectedVideo.map(frameBytes);
    expect(parseProtectedStream('video', sentBytes, { kids: new Set([KID]) })).toHaveLength(video.length);
    const ciphertext = payloadBytes('video', sentBytes, 'after-sframe-header');
    const entropy = shannonEntropy(ciphertext);
    expect(entropy).toBeGreaterThan(uniformEntropyBaseline(ciphertext.length) - VIDEO_ENTROPY_MARGIN / 5);

    const attempts = await spy.decodeVideo(protectedVideo);
    const outcomes = attempts.reduce<Record<string, number>>((count, attempt) => ({ ...count, [attempt.outcome]: (count[attempt.outcome] ?? 0) + 1 }), {});
    const images = attempts.flatMap((attempt) => (attempt.outcome === 'image' ? [attempt.sample] : []));
    const errors = [...new Set(attempts.flatMap((attempt) => (attempt.outcome === 'error' ? [attempt.message] : [])))];
    console.log(`[e2e] protected: ciphertext entropy ${entropy.toFixed(4)} over ${ciphertext.length} bytes; decode outcomes ${JSON.stringify(outcomes)}; distances of pictures to the pattern [${images.map((sample) => Math.round(patternDistance(sample, pattern!.quadrants))).join(' ')}]; errors ${JSON.stringify(errors)}`);
    expect(attempts.length).toBeGreaterThan(0);
    expect(images.filter((sample) => resemblesPattern(sample, pattern!.quadrants))).toEqual([]);
  });

  it('keeps every page load, WebSocket and ICE candidate on 127.0.0.0/8', async () => {
    for (const peer of [spy, publisher]) {
      const hosts = peer.urls.map((url) => new URL(url).hostname);
      const { local, remote } = await peer.candidates();
      console.log(`[e2e] ${peer.identity}: ${peer.urls.length} URLs, candidates local ${[...new Set(local)].join(' ')} remote ${[...new Set(remote)].join(' ')}`);
      expect(hosts.length).toBeGreaterThan(0);
      expect(local.length + remote.length).toBeGreaterThan(0);
      expect([...hosts, ...local, ...remote].filter((host) => !LOOPBACK.test(host))).toEqual([]);
    }
  });
});

// LiveKit gives a later track of the same kind an idle transceiver of the subscriber, so one
// receiver of the spy can carry several tracks in turn. Its recording of the first must not hide
// the second: before the recorder closed a recording on unsubscribe, a receiver already holding
// its `retain: 'first'` frames of the first track listed the second track as full and gave no frame
// of it (cross-engine-group's screen share after the clear publisher left).
describe('the spy, when LiveKit hands one receiver a later track', () => {
  const room = `rawpeer-reuse-${randomBytes(6).toString('hex')}`;
  let peers: RawPeers | undefined;

  afterAll(async () => {
    await peers?.close();
  });

  it('records the later track afresh, and keeps the earlier recording under its own name', async () => {
    peers = await startRawPeers();
    const spy = await peers.startSpy(room, { identity: 'spy-reuse', maxFramesPerTrack: 60, retain: 'first' });
    const first = await peers.startClearPublisher(room, { identity: 'first', fakeVideo: await writePatternY4m(PATTERNS[0]!) });
    await spy.waitForFrames({ identity: 'first', kind: 'video' }, 60, MEDIA_WAIT);
    const [earlier] = (await spy.tracks()).filter((t) => t.identity === 'first' && t.kind === 'video');
    await first.close();
    // The receiver is idle once the spy has closed the first track's recording and holds an unnamed one.
    await waitUntil('the spy closing the first video recording', () => spy.tracks(), (tracks) => tracks.some((t) => t.receiverId === earlier!.receiverId && t.identity === null), MEDIA_WAIT);
    const second = await peers.startClearPublisher(room, { identity: 'second', fakeVideo: await writePatternY4m(PATTERNS[1]!) });
    try {
      const [later] = await waitUntil('the second video recorded', async () => (await spy.tracks()).filter((t) => t.identity === 'second' && t.kind === 'video' && t.kept >= 30), (l) => l.length > 0, MEDIA_WAIT);
      console.log(`[e2e] first video on receiver ${earlier!.receiverId}, second on receiver ${later!.receiverId}`);
      const frames = await spy.frames({ trackSid: later!.trackSid! });
      expect(frames.length).toBeGreaterThanOrEqual(30);
      expect(frames.every((f) => f.identity === 'second')).toBe(true);
      const images = (await spy.decodeVideo(frames)).flatMap((a) => (a.outcome === 'image' ? [a.sample] : []));
      // The second publisher's picture, never the first's (its first pictures may be tiny and blurred).
      expect(images.some((sample) => resemblesPattern(sample, PATTERNS[1]!.quadrants))).toBe(true);
      expect(images.filter((sample) => resemblesPattern(sample, PATTERNS[0]!.quadrants))).toEqual([]);
      expect((await spy.frames({ trackSid: earlier!.trackSid! })).every((f) => f.identity === 'first')).toBe(true);
    } finally {
      await second.close();
    }
  });
});
