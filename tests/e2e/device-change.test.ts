// Choosing devices during an encrypted call, with Chromium's fake devices: three fake cameras
// (`device-count=3`, a switch added after harness/browser.ts's flags), three fake microphones and three fake
// speakers. (Chromium's fake_device_1 stops the encoder even in a bare RTCPeerConnection without
// Sealroom or LiveKit, measured; it seems to be the fake depth camera. The test uses fake_device_2.)
// Then hot-plugging: the page is told a device went away (its enumerateDevices stops listing it and
// a devicechange event fires, as when a headset is pulled out).
//
// What this proves: the settings dialog lists the fake devices; switching camera or microphone
// puts the new device on the same encrypted sender while the other member keeps decoding; the
// chosen speaker is applied to every remote <audio> (setSinkId); and when a chosen device
// disappears the page moves to another one by itself, with the call still decoding.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchParticipant, type Participant, printLogs } from './harness/browser';
import { launchMember, type Member, ownId, remoteVideo } from './harness/members';
import { inboundAudio, senderTracks, waitForMoreFrames } from './harness/media-probe';
import { chooseSetting, settingOptions, settingValue } from './harness/media-ui';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 500 };

/** Makes the page's enumerateDevices leave out these device ids, then fires devicechange. */
const unplug = (ids: readonly string[]) => `(() => {
  const media = navigator.mediaDevices;
  if (!window.__unplugged) {
    window.__unplugged = new Set();
    const original = media.enumerateDevices.bind(media);
    media.enumerateDevices = async () => (await original()).filter((d) => !window.__unplugged.has(d.deviceId));
  }
  window.__unplugged.clear();
  for (const id of ${JSON.stringify(ids)}) window.__unplugged.add(id);
  media.dispatchEvent(new Event('devicechange'));
})()`;

/** sinkId of every <audio> on the page. */
const SINKS = `[...document.querySelectorAll('audio')].map((a) => a.sinkId)`;

describe('device selection and hot-plugging during an encrypted call', () => {
  let server: TestServer | undefined;
  let host: Member;
  let carol: Participant;
  let carolId = '';
  const people: Participant[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    host = await launchMember('host', server.origin, PATTERNS[0]!);
    carol = await launchParticipant('carol', server.origin, { extraArgs: ['--use-fake-device-for-media-stream=device-count=3'] });
    people.push(host, carol);
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  const carolSends = async (kind: 'audio' | 'video') => (await senderTracks(carol.page)).find((t) => t.kind === kind)?.deviceId ?? null;
  async function hostKeepsDecodingCarol(): Promise<void> {
    const before = await inboundAudio(host.page);
    await waitForMoreFrames(host.page, remoteVideo(carolId), 30, WAIT);
    await waitUntil("the host decoding another second of carol's audio", () => inboundAudio(host.page), (now) => now.samples >= before.samples + 48_000, WAIT);
  }

  it('switches camera, microphone and speaker from the settings while the host keeps decoding', async () => {
    const link = await createRoom(host.page, server!.origin);
    await join(host.page, 'Alice');
    await carol.page.goto(link);
    await join(carol.page, 'Carol');
    await admitFirstKnock(host.page);
    await waitForTiles(host.page, 2, WAIT);
    await waitForTiles(carol.page, 2, WAIT);
    carolId = await ownId(carol.page);
    await hostKeepsDecodingCarol();

    const cameras = await settingOptions(carol.page, 'camera-select');
    const mics = await settingOptions(carol.page, 'mic-select');
    const speakers = await settingOptions(carol.page, 'speaker-select');
    console.log(`[e2e] carol's fake devices: ${cameras.length} cameras, ${mics.length} microphones, ${speakers.length} speakers`);
    expect(cameras.length).toBe(3);
    expect(mics.length).toBeGreaterThanOrEqual(2);
    expect(speakers.length).toBeGreaterThanOrEqual(2);

    const camera = cameras.find(([, label]) => label === 'fake_device_2')?.[0];
    expect(camera).toBeDefined();
    expect(await carolSends('video')).not.toBe(camera);
    await chooseSetting(carol.page, 'camera-select', camera!, WAIT);
    await waitUntil('carol sending the other camera', () => carolSends('video'), (id) => id === camera, WAIT);

    const mic = mics.find(([id]) => id !== 'default')![0];
    await chooseSetting(carol.page, 'mic-select', mic, WAIT);
    await waitUntil('carol sending the other microphone', () => carolSends('audio'), (id) => id === mic, WAIT);

    const speaker = speakers.find(([id]) => id !== 'default')![0];
    await chooseSetting(carol.page, 'speaker-select', speaker, WAIT);
    await waitUntil("carol's remote audio playing on the chosen speaker", () => carol.page.evaluate(SINKS) as Promise<string[]>, (sinks) => sinks.length > 0 && sinks.every((s) => s === speaker), WAIT);
    await hostKeepsDecodingCarol();
  });

  it('moves to another device when the chosen one is unplugged, and back in the lists when it returns', async () => {
    const [camera, mic, speaker] = await Promise.all([carolSends('video'), carolSends('audio'), settingValue(carol.page, 'speaker-select')]);
    await carol.page.evaluate(unplug([camera!, mic!, speaker]));
    const other = await waitUntil('carol on another camera', () => carolSends('video'), (id) => id !== null && id !== camera, WAIT);
    await waitUntil('carol on the default microphone', () => carolSends('audio'), (id) => id === 'default', WAIT);
    await waitUntil('carol playing on the default speaker', () => carol.page.evaluate(SINKS) as Promise<string[]>, (sinks) => sinks.length > 0 && sinks.every((s) => s === 'default' || s === ''), WAIT);
    expect(await settingValue(carol.page, 'camera-select')).toBe(other);
    expect((await settingOptions(carol.page, 'camera-select')).map(([id]) => id)).not.toContain(camera);
    await hostKeepsDecodingCarol();

    await carol.page.evaluate(unplug([]));
    await waitUntil('the cameras listed again', async () => (await settingOptions(carol.page, 'camera-select')).length, (n) => n === 3, WAIT);
    // Plugging a device back in does not take it over; the person chooses.
    expect(await carolSends('video')).toBe(other);
  });
});

