// Lockout in a real call: a removed member's keys open nothing of the next epoch, and a late joiner's
// keys open nothing from before its admission. The call is two Sealroom browsers over the loopback
// LiveKit; the spy (a raw LiveKit subscriber) records the ciphertext the SFU forwards; the removed
// member and the late joiner are headless protocol members (tests/driver), real crypto over the real
// server, so the test holds every key they ever received.
//
// Every negative check has a positive control: the same keys DO open frames of the epochs they
// belong to, so a failure to open means the keys are wrong for those frames, not that the tooling is.
// "Forced" attempts ignore the KID: each frame is tried with every kept base key as if it were the key
// of the frame's KID, so not even a KID collision could let a kept key through.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFragment, unprotectMediaFrame, SFrameReceiver } from '../../crypto/index';
import { ProtocolMember } from '../driver/driver';
import { type RecordedFrame } from './rawpeer/api';
import { codecOfKind, parseProtectedFrame } from './harness/analysis';
import { printLogs } from './harness/browser';
import { audit, kidEpoch, launchMember, type Member, waitForEpoch } from './harness/members';
import { PATTERNS } from './harness/pattern';
import { frameBytes, type RawPeer, type RawPeers, startRawPeers } from './harness/rawpeer';
import { startTestServer, type TestServer } from './harness/server';
import { waitForDecodedVideo } from './harness/stats';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };
type Keys = ReadonlyMap<number, ReadonlyMap<bigint, Uint8Array>>;

/** Does `frame` open with `baseKey` installed under `kid`? (a fresh receiver: no replay state) */
async function opens(frame: RecordedFrame, kid: bigint, baseKey: Uint8Array): Promise<boolean> {
  const receiver = new SFrameReceiver();
  await receiver.addKey(kid, baseKey);
  try {
    await unprotectMediaFrame({ receiver, codec: codecOfKind(frame.kind), data: frameBytes(frame) });
    return true;
  } catch {
    return false;
  }
}

const kidOf = (frame: RecordedFrame): bigint => parseProtectedFrame(frame.kind, frameBytes(frame)).header.kid;

/** Frames that open with the kept keys, by KID as a member would, or forced with every key. */
async function openedBy(frames: readonly RecordedFrame[], keys: Keys, forced: boolean): Promise<number> {
  let opened = 0;
  for (const frame of frames) {
    const kid = kidOf(frame);
    const candidates = forced ? [...keys.values()].flatMap((m) => [...m.values()]) : [...keys.values()].flatMap((m) => (m.has(kid) ? [m.get(kid)!] : []));
    for (const key of candidates) {
      if (await opens(frame, kid, key)) {
        opened++;
        break;
      }
    }
  }
  return opened;
}

describe('removal and late-join lockout in a real call', () => {
  let server: TestServer | undefined;
  let peers: RawPeers | undefined;
  let spy: RawPeer;
  const people: Member[] = [];
  const drivers: ProtocolMember[] = [];
  let host: Member;
  let guest: Member;
  let roomId = '';
  let link = '';

  beforeAll(async () => {
    server = await startTestServer();
    peers = await startRawPeers();
    host = await launchMember('host', server.origin, PATTERNS[0]!);
    guest = await launchMember('guest', server.origin, PATTERNS[1]!);
    people.push(host, guest);
  });

  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.close().catch(() => undefined)));
    await Promise.all(people.map((p) => p.close()));
    await peers?.close();
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs([...people, ...(spy ? [spy.participant] : [])]));
  });

  /** Snapshot the spy's recording (frames that carry an SFrame header of the call) and start afresh. */
  async function take(minEpoch: number, count = 60): Promise<RecordedFrame[]> {
    const atEpoch = async () => (await spy.frames()).filter((f) => f.byteLength > 0 && f.identity !== null && kidEpoch(kidOf(f)) >= minEpoch);
    const frames = await waitUntil(`${count} recorded frames of epoch ${minEpoch} or later`, atEpoch, (list) => list.length >= count, WAIT);
    await spy.clearFrames();
    return frames;
  }

  async function admitDriver(name: string): Promise<ProtocolMember> {
    const member = await ProtocolMember.joinAsGuest(server!.origin, roomId, parseFragment(new URL(link).hash), name, { timeoutMs: 30_000 });
    drivers.push(member);
    await member.knock();
    await admitFirstKnock(host.page);
    await waitUntil(`${name} admitted`, () => member.epoch, (epoch) => epoch !== null, WAIT);
    return member;
  }

  it('holds a call of two browsers and a headless member, recorded by the spy', async () => {
    link = await createRoom(host.page, server!.origin);
    roomId = new URL(link).pathname.split('/').at(-1)!;
    spy = await peers!.startSpy(roomId, { identity: 'spy', maxFramesPerTrack: 600, retain: 'latest' });
    await join(host.page, 'Alice');
    await guest.page.goto(link);
    await join(guest.page, 'Bob');
    await admitFirstKnock(host.page);
    await waitForTiles(guest.page, 2, WAIT);
    expect(drivers).toHaveLength(0);
  });

  it("locks a removed member out: none of its kept keys opens a frame of the next epoch, while they opened its own", async () => {
    const mallory = await admitDriver('Mallory');
    const joined = mallory.epoch!;
    await waitForEpoch(guest.page, joined, WAIT);
    const during = await take(joined);
    // Positive control: Mallory's keys open the frames of the epoch she was in.
    expect(await openedBy(during.filter((f) => kidEpoch(kidOf(f)) === joined), mallory.keptKeys, false)).toBeGreaterThan(0);

    const malloryId = mallory.participantId;
    await host.page.locator(`[data-testid=member][data-participant="${malloryId}"] [data-testid=remove-member]`).click();
    const code = await waitForEpoch(guest.page, joined + 1, WAIT);
    expect(mallory.keptKeys.has(code.epoch)).toBe(false);
    const after = await take(code.epoch, 120);
    expect(await openedBy(after, mallory.keptKeys, false)).toBe(0);
    expect(await openedBy(after, mallory.keptKeys, true)).toBe(0);

    // The others keep decoding in the new epoch.
    for (const m of [host, guest]) {
      const stats = await waitUntil(
        `${m.name} decrypts epoch ${code.epoch}`,
        async () => (await audit(m.page)).stats.decryptedByKid,
        (byKid) => Object.keys(byKid).some((kid) => kidEpoch(kid) >= code.epoch),
        WAIT,
      );
      expect(Object.entries(stats).filter(([kid]) => kidEpoch(kid) >= code.epoch).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(0);
      const before = (await waitForDecodedVideo(m.page, 0, WAIT)).video.framesDecoded;
      await waitForDecodedVideo(m.page, before + 30, WAIT);
    }
  });

  it("keeps a late joiner out of the past: its keys open nothing recorded before its admission, but open what follows", async () => {
    const before = await take(0, 120); // what the SFU forwarded before the joiner came
    const lastBefore = Math.max(...before.map((f) => kidEpoch(kidOf(f))));
    const late = await admitDriver('Lena');
    expect(late.epoch!).toBeGreaterThan(lastBefore);
    expect(await openedBy(before, late.keptKeys, false)).toBe(0);
    expect(await openedBy(before, late.keptKeys, true)).toBe(0);
    // Positive control: the joiner's keys open the frames of its own epoch.
    await waitForEpoch(guest.page, late.epoch!, WAIT);
    const after = await take(late.epoch!, 60);
    expect(await openedBy(after, late.keptKeys, false)).toBeGreaterThan(0);
  });
});
