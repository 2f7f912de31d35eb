// Three Sealroom members in one call over the real loopback LiveKit, each with its own camera pattern,
// watched by a spy: a raw LiveKit participant with a token minted straight from the API key and no
// Sealroom keys, recording every frame the SFU sends it. Then the SFU "lies": a publisher with no
// transform joins with a raw token and sends clear media into the call.
//
// What this proves (SECURITY.md, claims table):
//   - members decode each other: the pixels of every remote tile are the sender's pattern;
//   - the SFU sees only ciphertext from the very first frame: every recorded frame of every track is
//     an SFrame frame under a KID of the call, its bytes after the clear prefix look random, and no
//     recorded video decodes (WebCodecs VP8) into anything like a member's pattern;
//   - nothing is rendered in clear whatever the SFU sends: the clear publisher gets no tile, its
//     frames are dropped and counted, and no picture on any member's page shows its pattern.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RecordedFrame } from './rawpeer/api';
import { parseProtectedFrame, payloadBytes, resemblesPattern, shannonEntropy } from './harness/analysis';
import { printLogs } from './harness/browser';
import { audit, callCode, launchMember, type Member, ownId, remoteVideo } from './harness/members';
import { PATTERNS, sampleVideo, writePatternY4m } from './harness/pattern';
import { frameBytes, type RawPeer, type RawPeers, startRawPeers } from './harness/rawpeer';
import { startTestServer, type TestServer } from './harness/server';
import { transformCoverage } from './harness/media-probe';
import { waitForDecodedVideo, waitForRisingAudio } from './harness/stats';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const MEDIA_WAIT = { timeoutMs: 60_000, intervalMs: 500 };
/** Ciphertext is indistinguishable from random bytes; the floor is 7.5 bits per byte. */
const MIN_ENTROPY = 7.9;

describe('an encrypted three-person call, watched by the SFU', () => {
  let server: TestServer | undefined;
  let peers: RawPeers | undefined;
  let spy: RawPeer;
  const members: Member[] = [];
  const ids = new Map<Member, string>();
  let roomId = '';
  let inCall = false;

  beforeAll(async () => {
    server = await startTestServer();
    peers = await startRawPeers();
    for (const [i, name] of ['host', 'guest-1', 'guest-2'].entries()) members.push(await launchMember(name, server.origin, PATTERNS[i]!));
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

  it('lets three members in through sealed knocks and signed commits; all three show one call code', async () => {
    const [host, ...guests] = members as [Member, Member, Member];
    const link = await createRoom(host.page, server!.origin);
    roomId = new URL(link).pathname.split('/').at(-1)!;
    // The spy is in the SFU room before anyone publishes, so it sees every track from its first frame.
    spy = await peers!.startSpy(roomId, { identity: 'spy', maxFramesPerTrack: 400, retain: 'latest' });
    await join(host.page, 'Alice');
    for (const [i, guest] of guests.entries()) {
      await guest.page.goto(link);
      await join(guest.page, ['Bob', 'Carol'][i]!);
      await admitFirstKnock(host.page);
    }
    for (const m of members) {
      await waitForTiles(m.page, 3, MEDIA_WAIT);
      ids.set(m, await ownId(m.page));
    }
    const codes = await Promise.all(members.map(async (m) => waitUntil('the final epoch', () => callCode(m.page), (c) => c.epoch === 2, MEDIA_WAIT)));
    expect(new Set(codes.map((c) => c.digits)).size).toBe(1);
    expect(codes[0]!.digits).toMatch(/^(\d{5} ){5}\d{5}$/);
    inCall = true;
  });

  it('has an RTCRtpScriptTransform on every sender and receiver of every peer connection', async () => {
    requireCall();
    for (const m of members) {
      const found = await transformCoverage(m.page);
      expect(found.senders).toBeGreaterThan(0);
      expect(found.receivers).toBeGreaterThan(0);
      expect(found.bare).toBe(0);
    }
  });

  it("shows every remote member's own camera pattern in its tile, and plays its audio", async () => {
    requireCall();
    for (const viewer of members) {
      await waitForDecodedVideo(viewer.page, 30, MEDIA_WAIT);
      await waitForRisingAudio(viewer.page, MEDIA_WAIT);
      for (const sender of members.filter((m) => m !== viewer)) {
        const sample = await waitUntil(
          `${viewer.name} sees ${sender.name}'s pattern`,
          () => sampleVideo(viewer.page, remoteVideo(ids.get(sender)!)),
          (s) => resemblesPattern(s, sender.pattern.quadrants),
          MEDIA_WAIT,
        );
        for (const other of PATTERNS.filter((p) => p !== sender.pattern)) expect(resemblesPattern(sample, other.quadrants)).toBe(false);
      }
      const { stats } = await audit(viewer.page);
      expect(stats.decrypted).toBeGreaterThan(0);
      expect(await viewer.page.locator('[data-testid=tile][data-security=encrypted]').count()).toBe(2);
    }
  });

  it('gives the SFU only SFrame ciphertext under the call KIDs, from the first frame of every track', async () => {
    requireCall();
    const tracks = await spy.waitForFrames({ kind: 'video' }, 60, MEDIA_WAIT);
    await spy.waitForFrames({ kind: 'audio' }, 60, MEDIA_WAIT);
    const frames = await spy.frames();
    const byTrack = new Map<string, RecordedFrame[]>();
    for (const f of frames) if (f.trackSid !== null && f.byteLength > 0) byTrack.set(f.trackSid, [...(byTrack.get(f.trackSid) ?? []), f]);
    const memberIds = new Set(ids.values());
    const owners = new Set([...byTrack.values()].map((list) => list[0]!.identity));
    expect(owners).toEqual(memberIds); // every member's media reached the spy
    expect(tracks.length).toBeGreaterThanOrEqual(3);
    // The call's KIDs: epochs 0..2, member indexes 0..2. A clear frame almost never parses as an
    // SFrame header naming one of these nine, with a full tag after it.
    const kids = new Set([0, 1, 2].flatMap((epoch) => [0, 1, 2].map((index) => (BigInt(epoch) << 6n) | BigInt(index))));
    const all: { kind: 'audio' | 'video'; bytes: Uint8Array }[] = [];
    const seen = new Set<string>();
    for (const list of byTrack.values()) {
      const kind = list[0]!.kind;
      const bytes = list.map(frameBytes);
      // Throws, naming the frame, unless every frame, the first one included, is SFrame under a call KID.
      // (CTRs need not rise within one forwarded track: simulcast layers share one counter per KID
      // and the SFU switches layers.)
      for (const [i, b] of bytes.entries()) {
        const { header } = parseProtectedFrame(kind, b, { kids });
        const nonce = `${header.kid}/${header.ctr}`;
        expect(seen.has(nonce), `frame ${i} of ${list[0]!.trackSid} repeats (KID, CTR) ${nonce}`).toBe(false);
        seen.add(nonce);
      }
      all.push(...bytes.map((b) => ({ kind, bytes: b })));
    }
    for (const kind of ['video', 'audio'] as const) {
      const payload = payloadBytes(kind, all.filter((f) => f.kind === kind).map((f) => f.bytes), 'after-clear-prefix');
      const entropy = shannonEntropy(payload);
      console.log(`[e2e] spy: ${kind} bytes after the clear prefix: ${payload.length}, entropy ${entropy.toFixed(4)} bits/byte`);
      expect(entropy).toBeGreaterThan(MIN_ENTROPY);
    }
  });

  it("cannot decode any recorded video into a member's picture", async () => {
    requireCall();
    const video = await spy.frames({ kind: 'video' });
    const bySid = new Map<string, RecordedFrame[]>();
    for (const f of video) if (f.trackSid !== null && f.byteLength > 0) bySid.set(f.trackSid, [...(bySid.get(f.trackSid) ?? []), f]);
    let attempts = 0;
    for (const frames of bySid.values()) {
      const results = await spy.decodeVideo(frames);
      attempts += results.length;
      for (const r of results) {
        if (r.outcome !== 'image') continue; // a decode error is a pass
        for (const p of PATTERNS) expect(resemblesPattern(r.sample, p.quadrants)).toBe(false);
      }
    }
    expect(attempts).toBeGreaterThan(0);
  });

  it('renders nothing of a publisher the SFU lets in without keys, and counts its dropped frames', async () => {
    requireCall();
    const before = await Promise.all(members.map(async (m) => (await audit(m.page)).stats));
    const liar = await peers!.startClearPublisher(roomId, { identity: 'liar', fakeVideo: await writePatternY4m(PATTERNS[3]!) });
    try {
      for (const [i, m] of members.entries()) {
        const notice = await waitUntil('the strangers notice', () => m.page.getByTestId('strangers').getAttribute('data-count', { timeout: 1000 }), (n) => n === '1', MEDIA_WAIT);
        expect(notice).toBe('1');
        const after = await waitUntil(
          `${m.name} drops the clear publisher's frames`,
          async () => (await audit(m.page)).stats,
          (s) => dropped(s.dropped) > dropped(before[i]!.dropped) + 30,
          MEDIA_WAIT,
        );
        console.log(`[e2e] ${m.name} dropped since the liar joined: ${JSON.stringify(diff(after.dropped, before[i]!.dropped))}`);
        expect(await m.page.locator('[data-testid=tile][data-participant="liar"]').count()).toBe(0);
        // The security panel says frames are being refused, and why.
        await m.page.getByTestId('refused-frames').waitFor({ timeout: 10_000 });
        expect(await m.page.locator('[data-testid=tile]').count()).toBe(3);
        // The only pictures on the page are the three members' own.
        expect(await m.page.locator('video').count()).toBe(3);
        for (const sender of members.filter((other) => other !== m)) {
          const sample = await sampleVideo(m.page, remoteVideo(ids.get(sender)!));
          expect(resemblesPattern(sample, sender.pattern.quadrants)).toBe(true);
          expect(resemblesPattern(sample, PATTERNS[3]!.quadrants)).toBe(false);
        }
      }
    } finally {
      await liar.close();
    }
    // Three members in turn, each with up to MEDIA_WAIT per step: 120 s was too little on a loaded machine.
  }, 300_000);
});

function dropped(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}
