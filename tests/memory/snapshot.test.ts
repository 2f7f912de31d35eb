// Rooms that live for months, and a roster only members read, against the real session core and
// the real server room code (the in-memory tier).
//   [J1] Joins and reloads start from a snapshot: the newest commit a party can open, checked
//        against the lobby record's hand-overs, so the server keeps a few commits, not the room's
//        history, and a room that has seen 10,000 commits is as joinable as a new one.
//   [P1] The roster is for members only: lobby sockets receive no commit, and nothing the server
//        keeps opens with the link. A removed member or a denied guest who keeps the link learns
//        nothing after that, across later joins, leaves and a hand-over.
import { describe, expect, it } from 'vitest';
import { commitKey, commitKeyFromHandoff, fromBase64Url, unwrapCommit, deriveLinkKeys } from '../../crypto/index';
import { MAX_LOG_BYTES, MAX_LOG_COMMITS } from '../../protocol/limits';
import { type ServerMessage } from '../../protocol/protocol';
import { admit, callOf, type Client, Person } from './tier';

const codes = (people: readonly Person[]) => new Set(people.map((p) => p.page.membership.code?.digits));

/** Every message the server sends to the pages of `person`, from now on. */
function record(tier: Awaited<ReturnType<typeof callOf>>['tier'], person: Person): ServerMessage[] {
  const seen: ServerMessage[] = [];
  const before = tier.interpose;
  tier.interpose = (m, to: Client) => {
    if (person.pages.includes(to)) seen.push(m);
    return before(m, to);
  };
  return seen;
}

describe('[J1] joins from a snapshot', () => {
  it('a room that has seen 10,000 commits, and a hand-over, takes a new guest and a reload like a new room', async () => {
    const { tier, host, people } = await callOf(1);
    const ann = people[0]!;
    const rekeys = async (n: number, by: Person) => {
      // publish resolves once the commit is sent: run() delivers it; what members send back
      // asynchronously (their confirmations) goes out with a later run, and settle() ends it all.
      for (let i = 0; i < n; i++) {
        await by.page.secure.publish(() => by.page.membership.rekey());
        tier.run();
      }
      await tier.settle();
    };
    // Ann is away for most of it (her socket gets none of these commits): she comes back by a snapshot.
    const honest = tier.interpose;
    tier.interpose = (m, to) => (ann.pages.includes(to) && m.type === 'commit' ? [] : honest(m, to));
    await rekeys(5_000, host);
    tier.interpose = honest;
    await host.page.secure.host.transfer(ann.page.participantId);
    await tier.settle(); // the hand-over is signed with the host's per-room key first
    expect(ann.page.membership.isHost).toBe(true);
    tier.interpose = (m, to) => (host.pages.includes(to) && m.type === 'commit' ? [] : honest(m, to));
    await rekeys(4_998, ann);
    tier.interpose = honest;
    const head = ann.page.membership.epoch!;
    expect(head).toBeGreaterThanOrEqual(10_000);
    // The server keeps a few commits, within its byte bound, not the room's history.
    expect(tier.room.log.size).toBeLessThanOrEqual(MAX_LOG_COMMITS);
    expect(tier.room.log.after(undefined).reduce((n, e) => n + e.bytes, 0)).toBeLessThanOrEqual(MAX_LOG_BYTES);

    const late = new Person('Late');
    await admit(tier, ann, late);
    expect(late.page.membership.state.kind).toBe('member');
    // The old host reloads: a fresh page with only its room key reads the kept commits.
    tier.open(host, 'resume');
    await tier.settle();
    expect(host.page.membership.epoch).toBe(head + 1);
    expect(codes([host, ann, late]).size).toBe(1);
    // The only refusal: the gap Ann met when she came back, which made her read the kept commits.
    expect([host, ann, late].map((p) => p.page.membership.refusals)).toEqual([0, 1, 0]);
    expect(ann.page.membership.lastRefusal).toMatch(/^gap/);
  }, 300_000); // about 30 s alone; a hang guard, not a speed claim (four times that was exceeded with the browser tier running beside it)

  it('a page far behind the kept commits catches up from the oldest it can open', async () => {
    const { tier, host, people } = await callOf(2);
    const ben = people[1]!;
    const before = ben.page.membership.epoch!;
    const away = tier.interpose;
    tier.interpose = (m, to) => (ben.pages.includes(to) && m.type === 'commit' ? [] : away(m, to));
    for (let i = 0; i < 3 * MAX_LOG_COMMITS; i++) {
      await host.page.secure.publish(() => host.page.membership.rekey());
      await tier.settle();
    }
    tier.interpose = away;
    expect(ben.page.membership.epoch).toBe(before);
    tier.open(ben, 'resume');
    await tier.settle();
    expect(ben.page.membership.epoch).toBe(host.page.membership.epoch);
    expect(codes([host, ...people]).size).toBe(1);
  });
});

describe('[P1] the roster is for members only', () => {
  it('lobby sockets get no commit; a removed member and a denied guest with the link learn nothing after', async () => {
    const { tier, host, people } = await callOf(2);
    const [ann, ben] = people as [Person, Person];
    // Ben is removed; he keeps the link and comes back through the lobby.
    await host.page.secure.host.remove([ben.page.participantId]);
    await tier.settle();
    const benSees = record(tier, ben);
    const benLobby = tier.open(ben, 'guest');
    await tier.settle();
    // A guest the host denies stays in the lobby with the link.
    const dora = new Person('Dora');
    const doraSees = record(tier, dora);
    const doraPage = tier.open(dora, 'guest');
    await tier.settle();
    doraPage.secure.knock('Dora');
    await tier.settle();
    host.page.secure.host.deny([doraPage.participantId]);
    await tier.settle();
    // Later joins, a leave and a hand-over.
    const cleo = new Person('Cleo');
    await admit(tier, host, cleo);
    await host.page.secure.host.remove([cleo.page.participantId]);
    await tier.settle();
    await admit(tier, host, new Person('Eve'));
    await host.page.secure.host.transfer(ann.page.participantId);
    await tier.settle(); // the hand-over is signed with the host's per-room key first
    expect(ann.page.membership.isHost).toBe(true);

    for (const seen of [benSees, doraSees]) {
      expect(seen.filter((m) => m.type === 'commit' || (m.type === 'commits' && m.commits.length > 0))).toEqual([]);
      // What they do get: the lobby record, which names the host now and nobody else.
      expect(seen.some((m) => m.type === 'lobby' || (m.type === 'commits' && m.lobby !== undefined))).toBe(true);
    }
    expect(benLobby.membership.members).toEqual([]);
    expect(doraPage.membership.members).toEqual([]);

    // Nothing the server keeps opens with what they hold: the link's keys, or the secret Ben had
    // when he was removed (the handoff opens only the commit right after it).
    const link = deriveLinkKeys(tier.link.linkSecret, tier.link.room.roomId);
    for (const entry of tier.room.log.after(undefined)) {
      const wrapped = fromBase64Url(entry.commit);
      for (const key of [link.lobbyKey, link.joinMacKey, link.roomInfoKey, link.accessToken]) {
        expect(() => unwrapCommit(key, tier.link.room.roomId, wrapped)).toThrow();
      }
    }
  });

  it('a removed member reads the commit that removed it, and not the next one', async () => {
    const { tier, host, people } = await callOf(2);
    const ben = people[1]!;
    const secretBefore = (ben.page.membership.state as { epochSecret: Uint8Array }).epochSecret;
    await host.page.secure.host.remove([ben.page.participantId]);
    await tier.settle();
    await host.page.secure.publish(() => host.page.membership.rekey());
    await tier.settle();
    const [removal, next] = tier.room.log.after(undefined).slice(-2).map((e) => fromBase64Url(e.commit)) as [Uint8Array, Uint8Array];
    const roomId = tier.link.room.roomId;
    expect(unwrapCommit(commitKeyFromHandoff(secretBefore, roomId, removal), roomId, removal).body.action).toBe('remove');
    expect(() => commitKeyFromHandoff(secretBefore, roomId, next)).toThrow();
    expect(() => unwrapCommit(commitKey(secretBefore, roomId, host.page.membership.epoch!), roomId, next)).toThrow();
  });
});
