// [W1] A membership change the server withholds from one member is noticed. Four browsers behind
// the hostile proxy (harness/hostile-proxy.ts); the host removes Dave, and the proxy keeps that
// commit from Carol alone, live and in every sync answer. Without detection Carol would go on
// sending under the old epoch, whose key Dave still holds. Carol sees the others' frames under the
// newer epoch, resyncs (the proxy withholds again), and within WITHHELD_AFTER_MS stops sending and
// says the server is withholding a change. When the proxy relents, she catches up and sends again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WITHHELD_AFTER_MS } from '../../protocol/limits';
import { printLogs } from './harness/browser';
import { type HostileProxy, type Wire, startHostileProxy } from './harness/hostile-proxy';
import { audit, callCode, kidEpoch, launchMember, type Member, ownId, waitForEpoch } from './harness/members';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };

describe('a commit the server withholds from one member', () => {
  let server: TestServer | undefined;
  let proxy: HostileProxy;
  const people: Member[] = [];
  let host: Member;
  let bob: Member;
  let carol: Member;
  let dave: Member;

  beforeAll(async () => {
    server = await startTestServer();
    proxy = await startHostileProxy(server.origin);
    for (const [i, name] of ['host', 'bob', 'carol', 'dave'].entries()) people.push(await launchMember(name, proxy.origin, PATTERNS[i]!));
    [host, bob, carol, dave] = people as [Member, Member, Member, Member];
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await proxy?.close();
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  it('is noticed: the member it is kept from stops sending and says why, then catches up when it arrives', async () => {
    const link = await createRoom(host.page, proxy.origin);
    await join(host.page, 'Hana');
    for (const [i, m] of [bob, carol, dave].entries()) {
      await m.page.goto(link);
      await join(m.page, ['Bob', 'Carol', 'Dave'][i]!);
      await admitFirstKnock(host.page);
      await waitForTiles(m.page, i + 2, WAIT);
    }
    const { epoch } = await waitForEpoch(carol.page, (await callCode(host.page)).epoch, WAIT);
    const carolId = await ownId(carol.page);
    const daveId = await ownId(dave.page);
    await waitUntil('carol sends under the current epoch', async () => (await audit(carol.page)).sendingEpoch, (e) => e === epoch, WAIT);

    // Keep every commit past `epoch` from Carol: live ones dropped, sync answers filtered.
    const withhold = (m: Wire): Wire | null => {
      if (m.type === 'commit') return (m['epoch'] as number) > epoch ? null : m;
      if (m.type === 'commits') return { ...m, commits: (m['commits'] as { epoch: number }[]).filter((c) => c.epoch <= epoch) };
      return m;
    };
    const stop = proxy.tamper('to-browser', (m, socket) => (socket.participantId === carolId ? withhold(m) : m));

    const removedAt = Date.now();
    await host.page.locator(`[data-testid=member][data-participant="${daveId}"] [data-testid=remove-member]`).click();
    await waitForEpoch(bob.page, epoch + 1, WAIT);
    const banner = carol.page.getByTestId('withheld');
    await banner.waitFor({ timeout: 60_000 });
    const detectedMs = Date.now() - removedAt;
    console.log(`[e2e] withheld remove noticed by the member it was kept from ${detectedMs} ms after the host removed (bound ${WITHHELD_AFTER_MS} ms + a stats tick)`);
    expect(Number(await banner.getAttribute('data-epoch'))).toBe(epoch + 1);
    expect((await callCode(carol.page)).epoch).toBe(epoch); // she really was kept behind
    expect((await audit(carol.page)).sendingEpoch).toBeNull();

    // Nothing more leaves Carol's page under the old epoch once she has held back. The page's copy
    // of the Worker's counters is up to one stats tick (500 ms) old, so let it catch up first.
    await carol.page.waitForTimeout(1500);
    const sentBefore = (await audit(carol.page)).stats.encrypted;
    await carol.page.waitForTimeout(2000);
    const held = await audit(carol.page);
    expect(held.stats.encrypted).toBe(sentBefore);
    expect(held.stats.dropped['no-send-key']).toBeGreaterThan(0);

    // The proxy relents: Carol's next resync brings the commit, the banner goes, she sends again.
    stop();
    await waitForEpoch(carol.page, epoch + 1, WAIT);
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await waitUntil('carol sends under the new epoch', async () => (await audit(carol.page)).sendingEpoch, (e) => e === epoch + 1, WAIT);
    // The Worker reports sent headers in batches every 500 ms: wait for frames under the new epoch.
    await waitUntil('frames sent under the new epoch', async () => (await audit(carol.page)).headers.filter(([kid]) => kidEpoch(kid) === epoch + 1).length, (n) => n > 0, WAIT);
    expect((await audit(carol.page)).stats.encrypted).toBeGreaterThan(held.stats.encrypted);
  });
});
