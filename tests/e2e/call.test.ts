// Two people in one encrypted call, joined through the UI in two real Chromium browsers over the loopback
// LiveKit: the host creates a room, the guest knocks, the host admits, and each decodes and hears the other.
// Media is SFrame ciphertext on the wire, so decoded frames and audio energy mean decryption worked.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchParticipant, type Participant, printLogs } from './harness/browser';
import { startTestServer, type TestServer } from './harness/server';
import { waitForDecodedVideo, waitForRisingAudio } from './harness/stats';
import { admitFirstKnock, createRoom, join, waitForLobby, waitForTiles } from './harness/ui';

const MEDIA_WAIT = { timeoutMs: 60_000, intervalMs: 500 };

describe('a two-person call joined through the UI', () => {
  let server: TestServer | undefined;
  const people: Participant[] = [];
  let host: Participant;
  let guest: Participant;
  let inCall = false;

  beforeAll(async () => {
    server = await startTestServer();
    host = await launchParticipant('host', server.origin);
    people.push(host);
    guest = await launchParticipant('guest', server.origin);
    people.push(guest);
  });

  afterAll(async () => {
    await Promise.all(people.map((person) => person.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  /** Later tests need the call the first one sets up; without it they fail at once, not at a timeout. */
  function requireCall(): void {
    if (!inCall) throw new Error('the call was not established (see the first test)');
  }

  it('admits a guest who knocked, after which both see the same two tiles', async () => {
    const link = await createRoom(host.page, server!.origin);
    await join(host.page, 'Alice');
    const [hostSelf] = await waitForTiles(host.page, 1);
    expect(hostSelf?.local).toBe(true);

    await guest.page.goto(link);
    await join(guest.page, 'Bob');
    await waitForLobby(guest.page);
    await admitFirstKnock(host.page);

    const seenByHost = await waitForTiles(host.page, 2, MEDIA_WAIT);
    const seenByGuest = await waitForTiles(guest.page, 2, MEDIA_WAIT);
    for (const seen of [seenByHost, seenByGuest]) {
      expect(seen.filter((tile) => tile.local)).toHaveLength(1);
      expect(seen.filter((tile) => !tile.hasVideo)).toEqual([]);
    }
    // Each one's remote tile is the other's local tile.
    const id = (seen: typeof seenByHost, local: boolean) => seen.find((tile) => tile.local === local)?.participant;
    expect(id(seenByHost, false)).toBe(id(seenByGuest, true));
    expect(id(seenByGuest, false)).toBe(id(seenByHost, true));
    expect(id(seenByHost, true)).not.toBe(id(seenByGuest, true));
    inCall = true;
  });

  it("lets each participant decode the other's video", async () => {
    requireCall();
    for (const person of [host, guest]) {
      const media = await waitForDecodedVideo(person.page, 30, MEDIA_WAIT);
      console.log(`[e2e] ${person.name} video in:`, JSON.stringify(media.video));
      expect(media.video.framesDecoded).toBeGreaterThan(30);
      expect(media.video.frameWidth).toBeGreaterThan(0);
    }
  });

  it("lets each participant hear the other's audio", async () => {
    requireCall();
    for (const person of [host, guest]) {
      const [first, second] = await waitForRisingAudio(person.page, MEDIA_WAIT);
      console.log(`[e2e] ${person.name} audio energy in: ${first.audio.totalAudioEnergy} -> ${second.audio.totalAudioEnergy}`);
      expect(second.audio.totalAudioEnergy).toBeGreaterThan(first.audio.totalAudioEnergy);
    }
  });
});
