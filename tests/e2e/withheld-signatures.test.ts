// [M1] Signed batches the server withholds. A receiver shows a member's frames only while that
// member's signed batches keep covering them (decision 0016), so a server that drops one member's
// batches to one receiver freezes that member's media there. It cannot make the receiver accuse
// anyone (only a verified batch flags), but before this test the tile went on saying "end-to-end
// encrypted" over a frozen picture: the page hid why. Two browsers behind the hostile proxy
// (harness/hostile-proxy.ts): the proxy drops every batch of Alice's on its way to Bob, then relents.
// Bob's tile for Alice must say, within the bound, that it is waiting for her signatures; show none
// of her frames meanwhile beyond the optimistic slack; accuse her of nothing; and go back to
// "encrypted" with her media moving once her batches come through again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MEDIA_OPTIMISTIC_SLACK, MEDIA_SIGNATURE_BOUND_MS, fromBase64Url, isMediaBatch } from '../../crypto/index';
import { printLogs } from './harness/browser';
import { type HostileProxy, type Wire, startHostileProxy } from './harness/hostile-proxy';
import { audit, launchMember, type Member, ownId, remoteVideo } from './harness/members';
import { waitForMoreFrames } from './harness/media-probe';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { startCallOfTwo } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };

function isBatch(m: Wire): boolean {
  if (m.type !== 'relay' || typeof m['payload'] !== 'string') return false;
  try {
    return isMediaBatch(fromBase64Url(m['payload'] as string));
  } catch {
    return false;
  }
}

describe('[M1] signed batches the server withholds from one member', () => {
  let server: TestServer | undefined;
  let proxy: HostileProxy;
  const people: Member[] = [];
  let alice: Member;
  let bob: Member;
  let aliceId: string;

  beforeAll(async () => {
    server = await startTestServer();
    proxy = await startHostileProxy(server.origin);
    for (const [i, name] of ['alice', 'bob'].entries()) people.push(await launchMember(name, proxy.origin, PATTERNS[i]!));
    [alice, bob] = people as [Member, Member];
    await startCallOfTwo(alice.page, bob.page, proxy.origin, ['Alice', 'Bob'], WAIT);
    aliceId = await ownId(alice.page);
    await waitForMoreFrames(bob.page, remoteVideo(aliceId), 10, WAIT);
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await proxy?.close();
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  const tileOfAlice = () => bob.page.locator(`[data-testid="tile"][data-participant="${aliceId}"]`);
  const opened = async () => (await audit(bob.page)).stats.byParticipant[aliceId]?.opened ?? 0;
  const signatures = async () => (await audit(bob.page)).stats.signatures.byParticipant[aliceId];

  it("says the tile waits for the sender's signatures, shows nothing unchecked meanwhile, accuses nobody, and recovers", async () => {
    await waitUntil("Bob's tile for Alice says encrypted", () => tileOfAlice().getAttribute('data-security'), (s) => s === 'encrypted', WAIT);
    const bobId = await ownId(bob.page);
    let dropped = 0;
    const stop = proxy.tamper('to-browser', (m, socket) => {
      if (socket.participantId !== bobId || m['from'] !== aliceId || !isBatch(m)) return m;
      dropped++;
      return null;
    });
    const withheldAt = Date.now();
    await waitUntil("Bob's tile for Alice says it waits for her signatures", () => tileOfAlice().getAttribute('data-security'), (s) => s === 'unverified', { timeoutMs: 30_000, intervalMs: 100 });
    const noticedMs = Date.now() - withheldAt;
    console.log(`[e2e] withheld batches shown on the tile ${noticedMs} ms after the proxy started dropping them (bound ${MEDIA_SIGNATURE_BOUND_MS} ms + a stats tick)`);
    expect(await tileOfAlice().getByTestId('tile-problem').textContent()).toContain('Alice');

    // Nothing of hers opens while her batches are kept away (a frame already admitted may finish).
    const atNotice = await opened();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const shownMeanwhile = (await opened()) - atNotice;
    expect(shownMeanwhile).toBeLessThanOrEqual(MEDIA_OPTIMISTIC_SLACK);
    expect(dropped).toBeGreaterThan(10);
    expect(await tileOfAlice().getAttribute('data-security')).toBe('unverified');
    expect(await signatures()).toMatchObject({ unsigned: 0, forged: 0, holding: false });

    stop();
    const resumed = await opened();
    await waitUntil("Bob's tile for Alice says encrypted again", () => tileOfAlice().getAttribute('data-security'), (s) => s === 'encrypted', WAIT);
    await waitUntil("Alice's frames open on Bob's page again", opened, (n) => n >= resumed + 30, WAIT);
    await waitForMoreFrames(bob.page, remoteVideo(aliceId), 10, WAIT);
    expect(await signatures()).toMatchObject({ unsigned: 0, forged: 0, holding: false });
    expect((await audit(bob.page)).stats.signatures.refused).toEqual([]);
  });
});
