// The session core (client/src/lib/session/) of members, over a channel that records what they send (the
// media Worker is a stub: this tier has no browser).
//   [F1] Each member sends its confirmation when it enters an epoch; a member holding another
//        version of the epoch finds out in-band, without anyone reading the call code aloud.
//   [S1] A sync answer in parts: a returning host acts on the log only after its last part, so
//        it never commits at a stale epoch and forks itself off its own room.
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../crypto/index';
import { makeConfirmation } from '../../crypto/index';
import { host } from '../../crypto/index';
import { type InRoomState } from '../../crypto/index';
import { PROTOCOL_VERSION } from '../../protocol/protocol';
import { type Outgoing } from '../../client/src/lib/session/channel';
import { type Clock, type MediaSink } from '../../client/src/lib/session/media-sink';
import { type WireCommit } from '../../client/src/lib/session/membership';
import { Session } from '../../client/src/lib/session/session';
import { buildRoom, knock, newGuest, type Party } from '../scenario/fixtures';
import { type LogEntry, entryOf } from '../scenario/relay';

const media: MediaSink = { install() {}, onNewerEpoch: () => () => {}, hold() {}, release() {} };
/** A clock whose delays have already passed: a confirmation goes out at once. */
const hurried: Clock = { now: () => 0, after: (_ms, run) => (run(), () => undefined) };

function wire(entry: LogEntry, to: Party): WireCommit {
  const envelope = entry.envelopes.get(to.pid);
  return { epoch: entry.epoch, commit: toBase64Url(entry.wrapped), ...(envelope ? { envelope: toBase64Url(envelope) } : {}) };
}

function connected(party: Party, room: Awaited<ReturnType<typeof buildRoom>>) {
  const sent: Outgoing[] = [];
  const secure = new Session({ room: room.link.room, self: party.self, life: 0 }, media, { open: true, send: (m) => (sent.push(m), true) }, { removed() {}, ended() {} }, { clock: hurried });
  const membership = secure.membership;
  secure.welcomed(party.pid);
  const confirmations = () => sent.filter((m): m is Extract<Outgoing, { type: 'relay' }> => m.type === 'relay');
  return { secure, membership, sent, confirmations };
}

async function member(party: Party, room: Awaited<ReturnType<typeof buildRoom>>, log: readonly LogEntry[]) {
  const m = connected(party, room);
  const lobby = room.relay.lobby === undefined ? {} : { lobby: toBase64Url(room.relay.lobby) };
  m.secure.receive({ v: PROTOCOL_VERSION, type: 'commits', commits: log.map((e) => wire(e, party)), ...lobby });
  await m.secure.settled(); // its confirmation is signed and sent
  return m;
}

const relayFrom = (party: Party, payload: string) => ({ v: PROTOCOL_VERSION, type: 'relay' as const, from: party.pid, payload });

describe('[F1] epoch confirmations between members', () => {
  it('each member confirms its epoch once, and members holding the same commit agree', async () => {
    const room = await buildRoom(2);
    const [ann, ben] = [room.guests[0]!, room.guests[1]!];
    const a = await member(ann, room, room.relay.log);
    const b = await member(ben, room, room.relay.log);
    expect(a.confirmations()).toHaveLength(1);
    b.secure.receive(relayFrom(ann, a.confirmations()[0]!.payload));
    expect(b.secure.forks).toEqual([]);
    expect(b.secure.unopenedCurrent).toBe(0);
  });

  it('tells a member that another holds a different version of the same epoch (an equivocating host)', async () => {
    const room = await buildRoom(2);
    const [ann, ben] = [room.guests[0]!, room.guests[1]!];
    // Two different commits for the next epoch, each with its own secret: Ann gets one, Ben the other.
    const one = entryOf(await host.rekey(room.host.state));
    const other = entryOf(await host.rekey(room.host.state));
    expect(one.epoch).toBe(other.epoch);
    const a = await member(ann, room, [...room.relay.log, one]);
    const b = await member(ben, room, [...room.relay.log, other]);
    expect(a.membership.epoch).toBe(b.membership.epoch);
    expect(a.membership.code?.digits).not.toBe(b.membership.code?.digits);
    // Ann's confirmation is sealed under her version's key: it cannot open at Ben's, who says so.
    b.secure.receive(relayFrom(ann, a.confirmations().at(-1)!.payload));
    expect(b.secure.unopenedCurrent).toBe(1);
  });

  it('flags a confirmation of the same epoch and secret but another commit as a fork', async () => {
    const room = await buildRoom(1);
    const ann = room.guests[0]!;
    const a = await member(ann, room, room.relay.log);
    const state = a.membership.state as InRoomState;
    const forged = makeConfirmation({ ...state, commitHash: new Uint8Array(state.commitHash.length).fill(7) }, 0);
    expect(a.membership.checkConfirmation(forged)).toBe('fork');
    expect(a.membership.checkConfirmation(makeConfirmation(state, 0))).toBe('agree');
  });
});

describe('host operations while signing is asynchronous', () => {
  it('makes two quick changes into two consecutive epochs that members accept, not two commits on one epoch', async () => {
    const room = await buildRoom(2);
    const [ann, ben] = [room.guests[0]!, room.guests[1]!];
    const h = connected(room.host, room);
    h.secure.receive({ v: PROTOCOL_VERSION, type: 'commits', commits: room.relay.log.map((e) => wire(e, room.host)) });
    const head = h.membership.epoch!;
    const a = await member(ann, room, room.relay.log);
    // Both clicks land before the first commit is signed.
    const made = await Promise.all([h.secure.host.setLocked(true), h.secure.host.remove([ben.pid]), h.secure.host.setLocked(false)]);
    expect(made).toEqual([true, true, true]);
    const commits = h.sent.filter((m): m is Extract<Outgoing, { type: 'commit' }> => m.type === 'commit');
    expect(commits.map((c) => c.epoch)).toEqual([head + 1, head + 2, head + 3]);
    for (const c of commits) a.secure.receive({ v: PROTOCOL_VERSION, type: 'commit', epoch: c.epoch, commit: c.commit, envelope: c.envelopes[ann.pid]! });
    expect(a.secure.refusals).toEqual([]);
    expect(a.membership.epoch).toBe(head + 3);
    expect(a.membership.members.map((m) => m.participantId)).toEqual([room.host.pid, ann.pid]);
    expect(a.membership.locked).toBe(false);
  });

  it('drops, unsent, a commit whose state moved on while it was being signed', async () => {
    const room = await buildRoom(1);
    const h = connected(room.host, room);
    h.secure.receive({ v: PROTOCOL_VERSION, type: 'commits', commits: room.relay.log.map((e) => wire(e, room.host)) });
    const prepared = await h.membership.rekey();
    const other = await h.membership.rekey();
    expect(other.adopt()).toBe(true);
    expect(prepared.adopt()).toBe(false);
    expect(h.membership.epoch).toBe(other.message.epoch);
  });
});

describe('[S1] a sync answer in parts', () => {
  it('keeps a returning host from acting on the log before its last part', async () => {
    const room = await buildRoom(2);
    for (let i = 0; i < 3; i++) room.relay.publish(await host.rekey(room.host.state), room.host);
    const head = room.relay.log.at(-1)!.epoch;
    const guest = newGuest(room.link, 'Cleo');
    guest.state = room.relay.sync(guest).state;
    const h = connected(room.host, room);
    // A knock reaches the returning host before the log does.
    h.secure.receive({ v: PROTOCOL_VERSION, type: 'knock', from: guest.pid, payload: toBase64Url(await knock(guest, room.link)) });
    const log = room.relay.log.map((e) => wire(e, room.host));
    h.secure.receive({ v: PROTOCOL_VERSION, type: 'commits', commits: log.slice(0, 2), more: true });
    expect(h.secure.host.knocks).toEqual([]); // still held back: the host is at a stale epoch
    expect(h.sent.filter((m) => m.type === 'commit')).toEqual([]);
    h.secure.receive({ v: PROTOCOL_VERSION, type: 'commits', commits: log.slice(2) });
    expect(h.membership.epoch).toBe(head);
    expect(h.secure.host.knocks.map((k) => k.id)).toEqual([guest.pid]);
    await h.secure.host.admit([guest.pid]);
    const commits = h.sent.filter((m): m is Extract<Outgoing, { type: 'commit' }> => m.type === 'commit');
    expect(commits.map((c) => c.epoch)).toEqual([head + 1]);
  });
});
