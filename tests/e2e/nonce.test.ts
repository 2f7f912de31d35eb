// The nonce log: every (KID, CTR) pair each page sends is recorded by its media Worker (audit flag:
// public header fields only), across simulcast layers, a camera restart and a page reload in the
// middle of an epoch. No pair may ever repeat: SFrame's nonce is salt XOR CTR under the KID's key.
//
// The reload is the dangerous case: a reloaded page gets the same epoch secret back from the commit
// log. It goes on sending under that epoch, but in a counter space of its own page life (a fresh
// life number claimed with the room key from storage, crypto/epoch.ts), so its counters cannot meet
// the earlier page's (docs/decisions/0010).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PAGE_LIFE_CTR_BITS } from '../../crypto/epoch';
import { printLogs } from './harness/browser';
import { audit, kidEpoch, launchMember, type Member, waitForEpoch } from './harness/members';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };

/** Video encodings (simulcast layers) the page is sending right now, with frames encoded. */
const SENDING_LAYERS = `(async () => {
  const layers = new Set();
  for (const pc of window.__sealroomPeerConnections ?? []) {
    if (pc.connectionState === 'closed') continue;
    for (const stat of (await pc.getStats()).values()) {
      if (stat.type === 'outbound-rtp' && stat.kind === 'video' && (stat.framesEncoded ?? 0) > 0) layers.add(stat.rid ?? stat.ssrc);
    }
  }
  return layers.size;
})()`;

type Header = [string, string, string];

describe('the nonce log across simulcast, a camera restart and a reload', () => {
  let server: TestServer | undefined;
  const people: Member[] = [];
  let host: Member;
  let guest: Member;
  const logs = new Map<string, Header[]>();

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

  const sentCount = async (m: Member) => (await audit(m.page)).headers.length;

  it('sends every simulcast layer and both kinds under one counter space per KID', async () => {
    const link = await createRoom(host.page, server!.origin);
    await join(host.page, 'Alice');
    await guest.page.goto(link);
    await join(guest.page, 'Bob');
    await admitFirstKnock(host.page);
    await waitForTiles(host.page, 2, WAIT);
    await waitForTiles(guest.page, 2, WAIT);
    const layers = await waitUntil('two or more simulcast layers sending', () => host.page.evaluate(SENDING_LAYERS) as Promise<number>, (n) => n >= 2, WAIT);
    console.log(`[e2e] host sends ${layers} simulcast layers`);
    const headers = (await audit(host.page)).headers;
    expect(new Set(headers.map((h) => h[2])).size).toBeGreaterThanOrEqual(2); // audio and video transforms
    expect(duplicates(headers)).toEqual([]);
  });

  it('keeps counting through a camera restart', async () => {
    const before = await sentCount(host);
    await host.page.getByTestId('toggle-camera').click();
    await host.page.waitForTimeout(500);
    await host.page.getByTestId('toggle-camera').click();
    await waitUntil('frames after the restart', () => sentCount(host), (n) => n > before + 100, WAIT);
    expect(duplicates((await audit(host.page)).headers)).toEqual([]);
  });

  it('after a reload goes on in the same epoch, in a counter space no earlier page of it used', async () => {
    const beforeReload = (await audit(guest.page)).headers;
    logs.set('guest-before-reload', beforeReload);
    const lastEpoch = Math.max(...beforeReload.map((h) => kidEpoch(h[0])));
    const spacesBefore = new Set(beforeReload.map((h) => counterSpace(h[1])));
    await guest.page.reload();
    await waitForTiles(guest.page, 2, WAIT);
    await waitForEpoch(guest.page, lastEpoch, WAIT);
    await waitUntil('the reloaded guest sends again', () => sentCount(guest), (n) => n > 100, WAIT);
    const afterReload = (await audit(guest.page)).headers;
    logs.set('guest-after-reload', afterReload);
    // No rekey was needed: the same epoch, the same KIDs, a new counter space.
    expect(new Set(afterReload.map((h) => kidEpoch(h[0])))).toEqual(new Set([lastEpoch]));
    for (const [, ctr] of afterReload) expect(spacesBefore.has(counterSpace(ctr))).toBe(false);
    expect(duplicates([...beforeReload, ...afterReload])).toEqual([]);
  });

  it('has no repeated (KID, CTR) pair anywhere in the whole session', async () => {
    logs.set('host', (await audit(host.page)).headers);
    const all = [...logs.values()].flat();
    console.log(`[e2e] nonce log: ${all.length} frames, ${new Set(all.map((h) => h[0])).size} KIDs`);
    expect(all.length).toBeGreaterThan(500);
    expect(duplicates(all)).toEqual([]);
  });
});

/** The page life a CTR belongs to (its bits above PAGE_LIFE_CTR_BITS). */
function counterSpace(ctr: string): bigint {
  return BigInt(ctr) >> BigInt(PAGE_LIFE_CTR_BITS);
}

function duplicates(headers: readonly Header[]): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const [kid, ctr] of headers) {
    const key = `${kid}/${ctr}`;
    if (seen.has(key)) repeated.push(key);
    seen.add(key);
  }
  return repeated.slice(0, 10);
}
