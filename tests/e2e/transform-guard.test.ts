// [T1] No library can remove or replace a Sealroom transform, and one that is removed anyway fails
// closed. livekit-client 2.23's frame-metadata code runs `receiver.transform = null` on every
// subscribed video track in engines other than Chromium; this test does the same in Chromium on
// every receiver of a live call, then goes around the guard with another realm's native setter.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { printLogs } from './harness/browser';
import { audit, launchMember, type Member, ownId, remoteVideo } from './harness/members';
import { waitForMoreFrames } from './harness/media-probe';
import { PATTERNS, sampleVideo } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };

/** Assigns null to the transform of every receiver, as livekit-client does; says what the engine then runs. */
const NULL_EVERY_RECEIVER = `(() => {
  let receivers = 0, kept = 0;
  for (const pc of window.__sealroomPeerConnections ?? []) {
    for (const t of pc.getTransceivers()) {
      t.receiver.transform = null;
      receivers++;
      if (t.receiver.transform instanceof RTCRtpScriptTransform) kept++;
    }
  }
  return { receivers, kept };
})()`;

/** Removes the transform of the receiver behind `selector`'s video through a fresh realm's native setter. */
const bypassFor = (selector: string) => `(() => {
  const track = document.querySelector(${JSON.stringify(selector)})?.srcObject?.getVideoTracks()[0];
  const frame = document.createElement('iframe');
  document.body.append(frame);
  const native = Object.getOwnPropertyDescriptor(frame.contentWindow.RTCRtpReceiver.prototype, 'transform');
  for (const pc of window.__sealroomPeerConnections ?? []) {
    for (const t of pc.getTransceivers()) {
      if (t.receiver.track === track) {
        native.set.call(t.receiver, null);
        return { detached: native.get.call(t.receiver) === null, track: track.id };
      }
    }
  }
  return { detached: false, track: '' };
})()`;

/** Whether the receiver track `id` is still enabled. */
const trackEnabled = (id: string) => `(() => {
  for (const pc of window.__sealroomPeerConnections ?? []) for (const t of pc.getTransceivers()) if (t.receiver.track.id === ${JSON.stringify(id)}) return t.receiver.track.enabled;
  return undefined;
})()`;

describe('pinned media transforms', () => {
  let server: TestServer | undefined;
  const people: Member[] = [];
  let host: Member;
  let guest: Member;

  beforeAll(async () => {
    server = await startTestServer();
    host = await launchMember('host', server.origin, PATTERNS[0]!);
    guest = await launchMember('guest', server.origin, PATTERNS[1]!);
    people.push(host, guest);
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  it("ignores `receiver.transform = null` (livekit-client's frame-metadata path) and keeps decrypting", async () => {
    const link = await createRoom(host.page, server!.origin);
    await join(host.page, 'Alice');
    await guest.page.goto(link);
    await join(guest.page, 'Bob');
    await admitFirstKnock(host.page);
    await waitForTiles(guest.page, 2, WAIT);
    const hostTile = remoteVideo(await ownId(host.page));
    await waitForMoreFrames(guest.page, hostTile, 10, WAIT);

    const result = (await guest.page.evaluate(NULL_EVERY_RECEIVER)) as { receivers: number; kept: number };
    expect(result.receivers).toBeGreaterThan(0);
    expect(result.kept).toBe(result.receivers);
    await waitUntil('the refusals counted', async () => (await audit(guest.page)).stats.refusedTransformChanges, (n) => n >= result.receivers, WAIT);
    await waitForMoreFrames(guest.page, hostTile, 30, WAIT);
    expect(await guest.page.locator(`[data-testid=tile][data-participant="${await ownId(host.page)}"]`).getAttribute('data-security')).toBe('encrypted');
  });

  it('fails closed when a transform is removed around the guard: the track is switched off and the tile says why', async () => {
    const hostId = await ownId(host.page);
    const hostTile = remoteVideo(hostId);
    const before = await sampleVideo(guest.page, hostTile);
    expect(before.rgb.some((v) => v > 40)).toBe(true); // the host's pattern, not black

    const { detached, track } = (await guest.page.evaluate(bypassFor(hostTile))) as { detached: boolean; track: string };
    expect(detached).toBe(true);
    await waitUntil('the guest notices the detached receiver', async () => (await audit(guest.page)).stats.detached, (d) => d.includes(hostId), WAIT);
    expect(await guest.page.evaluate(trackEnabled(track))).toBe(false);
    await guest.page.locator(`[data-testid=tile][data-participant="${hostId}"][data-security=detached]`).waitFor({ timeout: 10_000 });
    // The tile shows no <video> of that track any more: nothing the decoder is handed now reaches the screen.
    await guest.page.locator(hostTile).waitFor({ state: 'detached', timeout: 10_000 });
    // The other direction is untouched: the host still decrypts the guest.
    await waitForMoreFrames(host.page, remoteVideo(await ownId(guest.page)), 30, WAIT);
  });
});
