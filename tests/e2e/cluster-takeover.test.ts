// The whole multi-node deployment with browsers (tests/e2e/harness/cluster.ts `startCallCluster`):
// Redis with AOF, two LiveKit nodes on it, two Sealroom node processes on it (each handing out its
// own LiveKit node's URL) and HAProxy running deploy/haproxy.cfg, all on loopback in the test's
// namespace. Then the same single-node deployment as `npm start` (one node on its Redis), restarted.
//
// What this proves: after the Sealroom node that owns the room is SIGKILLed, both members resume on
// the other node as the same participants (no knock: a refused resume keeps its token,
// client/src/lib/reconnect-decision.ts), the encrypted call keeps decoding, and the host still
// acts (a lock and an unlock, each a new epoch every member follows; removing a third member who
// resumed too, who is told so, and a new epoch the others follow). After a restart of a single
// node, the same for two members: that part is what failed with the client that forgot its resume
// token after two refused upgrades (the guest fell back to the lobby); through HAProxy a takeover
// rarely refuses twice (it redispatches, and the new owner holds the upgrade while it waits out
// the lease). How long the resume takes is printed, not asserted (every wait is a liveness bound).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resemblesPattern } from './harness/analysis';
import { printLogs } from './harness/browser';
import { type CallCluster, startCallCluster } from './harness/cluster';
import { callCode, launchMember, type Member, ownId, remoteVideo, waitForEpoch } from './harness/members';
import { waitForMoreFrames } from './harness/media-probe';
import { PATTERNS, sampleVideo } from './harness/pattern';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

/** Liveness bounds, not speed claims: two LiveKit nodes, two node processes and browsers share two cores. */
const LIVENESS = { timeoutMs: 90_000, intervalMs: 250 };

type Pair = readonly [Member, Member];
const pair = (members: readonly Member[]): Pair => [members[0]!, members[1]!];

const signaling = (m: Member) => m.page.getByTestId('call-view').getAttribute('data-signaling', { timeout: 1000 }).catch(() => null);

async function startCall(origin: string, [host, guest]: Pair): Promise<{ ids: Map<Member, string>; link: string }> {
  const link = await createRoom(host.page, origin);
  await join(host.page, 'Alice');
  await guest.page.goto(link);
  await join(guest.page, 'Bob');
  await admitFirstKnock(host.page);
  const ids = new Map<Member, string>();
  for (const m of [host, guest]) {
    await waitForTiles(m.page, 2, LIVENESS);
    ids.set(m, await ownId(m.page));
  }
  await decodingBothWays([host, guest], ids);
  return { ids, link };
}

const lobbyState = (m: Member) => m.page.getByTestId('lobby-state').getAttribute('data-state', { timeout: 2000 }).catch(() => null);

/** Each member decodes new frames of the other, showing the other's pattern. */
async function decodingBothWays([host, guest]: Pair, ids: ReadonlyMap<Member, string>): Promise<void> {
  await Promise.all(
    ([[host, guest], [guest, host]] as const).map(async ([viewer, sender]) => {
      const video = remoteVideo(ids.get(sender)!);
      await waitForMoreFrames(viewer.page, video, 15, LIVENESS);
      await waitUntil(`${viewer.name} seeing ${sender.name}'s pattern`, () => sampleVideo(viewer.page, video, 1000), (s) => resemblesPattern(s, sender.pattern.quadrants), LIVENESS);
    }),
  );
}

/** Watches each member's signaling from `since`: it must leave `open` and come back; returns when it is back. */
async function backOpen(members: readonly Member[], since: number): Promise<Map<Member, number>> {
  const back = new Map<Member, number>();
  await Promise.all(
    members.map(async (m) => {
      await waitUntil(`${m.name}'s signaling to notice the drop`, () => signaling(m), (s) => s !== 'open', LIVENESS);
      await waitUntil(`${m.name}'s signaling open again`, () => signaling(m), (s) => s === 'open', { timeoutMs: LIVENESS.timeoutMs, intervalMs: 50 });
      back.set(m, Date.now() - since);
    }),
  );
  return back;
}

/** Same participants, nobody knocking or in a lobby, then the host locks and unlocks: two epochs everyone follows. */
async function hostStillActs([host, guest]: Pair, ids: ReadonlyMap<Member, string>): Promise<void> {
  for (const m of [host, guest]) {
    expect(await ownId(m.page, LIVENESS)).toBe(ids.get(m));
    expect(await m.page.getByTestId('lobby-state').count()).toBe(0);
  }
  expect(await host.page.getByTestId('knock').count()).toBe(0);
  const before = (await callCode(host.page)).epoch;
  await host.page.getByTestId('lock').check();
  for (const m of [host, guest]) await waitForEpoch(m.page, before + 1, LIVENESS);
  await host.page.getByTestId('lock').uncheck();
  for (const m of [host, guest]) await waitForEpoch(m.page, before + 2, LIVENESS);
  const [a, b] = await Promise.all([callCode(host.page), callCode(guest.page)]);
  expect(a).toEqual(b);
}

const report = (what: string, back: ReadonlyMap<Member, number>) => console.log(`[e2e] ${what}: signaling open again after ${[...back].map(([m, ms]) => `${m.name} ${ms} ms`).join(', ')}`);

describe('a call behind HAProxy on two Sealroom nodes, two LiveKit nodes and one Redis', () => {
  let cluster: CallCluster | undefined;
  let members: Member[] = [];
  let carol: Member | undefined;
  let carolId = '';
  let ids = new Map<Member, string>();
  let inCall = false;

  beforeAll(async () => {
    cluster = await startCallCluster();
    members = [await launchMember('host', cluster.origin, PATTERNS[0]!), await launchMember('guest', cluster.origin, PATTERNS[1]!)];
    carol = await launchMember('carol', cluster.origin, PATTERNS[2]!);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...members, ...(carol ? [carol] : [])].map((m) => m.close()));
    await cluster?.stop();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(async () => {
      printLogs([...members, ...(carol ? [carol] : [])]);
      for (const [i, node] of (cluster?.nodes ?? []).entries()) console.error(`--- Sealroom node ${i} ---\n${(await node.log()).split('\n').slice(-30).join('\n')}`);
    });
  });

  it('joins host, guest and a third member through the balancer; host and guest decode each other', async () => {
    const call = await startCall(cluster!.origin, pair(members));
    ids = call.ids;
    await carol!.page.goto(call.link);
    await join(carol!.page, 'Carol');
    await admitFirstKnock(members[0]!.page);
    for (const m of [...members, carol!]) await waitForTiles(m.page, 3, LIVENESS);
    carolId = await ownId(carol!.page);
    inCall = true;
  });

  it('resumes both members on the other node after the owner is SIGKILLed, as the same participants, still decoding, the host still acting', async () => {
    if (!inCall) throw new Error('the call was not established (see the first test)');
    const owner = await cluster!.ownerOf(new URL(members[0]!.page.url()).pathname.split('/').at(-1)!);
    const killedAt = Date.now();
    await owner.kill();
    const back = await backOpen([...members, carol!], killedAt);
    report('owner SIGKILLed', back);
    await decodingBothWays(pair(members), ids);
    expect(await ownId(carol!.page, LIVENESS)).toBe(carolId);
    await hostStillActs(pair(members), ids);
    const survivor = cluster!.nodes.find((n) => n !== owner)!;
    expect(await survivor.log()).toContain('"room.loaded"');
  });

  it('lets the host remove the third member on the new node: she is told so, the others follow a new epoch', async () => {
    if (!inCall) throw new Error('the call was not established (see the first test)');
    const [host, guest] = members as [Member, Member];
    const before = (await callCode(host.page)).epoch;
    await host.page.locator(`[data-testid=member][data-participant="${carolId}"] [data-testid=remove-member]`).click();
    await waitUntil("carol's lobby state removed", () => lobbyState(carol!), (s) => s === 'removed', LIVENESS);
    const after = await waitForEpoch(guest.page, before + 1, LIVENESS);
    expect((await callCode(host.page)).digits).toBe(after.digits);
    await waitForTiles(guest.page, 2, LIVENESS);
  });
});

describe('a call on one Sealroom node on its Redis (`npm start`), restarted', () => {
  let cluster: CallCluster | undefined;
  let members: Member[] = [];
  let ids = new Map<Member, string>();
  let inCall = false;

  beforeAll(async () => {
    cluster = await startCallCluster({ nodes: 1 });
    members = [await launchMember('host', cluster.origin, PATTERNS[0]!), await launchMember('guest', cluster.origin, PATTERNS[1]!)];
  }, 240_000);

  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await cluster?.stop();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(members));
  });

  it('starts the call on the node; both decode each other', async () => {
    ids = (await startCall(cluster!.origin, pair(members))).ids;
    inCall = true;
  });

  it('keeps the room, its members and its host across a restart of the node mid-call', async () => {
    if (!inCall) throw new Error('the call was not established (see the first test)');
    const stoppedAt = Date.now();
    const backing = backOpen(members, stoppedAt);
    await cluster!.nodes[0]!.stop();
    await cluster!.restart(0);
    const back = await backing;
    report('single node stopped (SIGTERM) and started again', back);
    await decodingBothWays(pair(members), ids);
    await hostStillActs(pair(members), ids);
  });
});
