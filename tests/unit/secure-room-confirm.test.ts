// [F1] Epoch confirmations, wired: the real SecureRoom and Membership of two members, over a
// channel that records what they send (the media Worker is a stub: this tier has no browser).
// Each member sends its confirmation when it enters an epoch; a member holding another version of
// the epoch finds out in-band, without anyone reading the call code aloud.
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../crypto/bytes';
import { makeConfirmation } from '../../crypto/confirm';
import * as host from '../../crypto/host';
import { type InRoomState } from '../../crypto/member';
import { PROTOCOL_VERSION } from '../../protocol/protocol';
import { type MediaKeys } from '../../client/src/lib/e2ee/media-keys.svelte';
import { Membership, type WireCommit } from '../../client/src/lib/e2ee/membership.svelte';
import { SecureRoom } from '../../client/src/lib/e2ee/secure-room.svelte';
import { type Outgoing } from '../../client/src/lib/signaling.svelte';
import { buildRoom, type Party } from '../scenario/fixtures';
import { type LogEntry, entryOf } from '../scenario/relay';

const media = { install() {}, onNewerEpoch: () => () => {}, hold() {}, release() {} } as unknown as MediaKeys;

function wire(entry: LogEntry, to: Party): WireCommit {
  const envelope = entry.envelopes.get(to.pid);
  return { epoch: entry.epoch, commit: toBase64Url(entry.wrapped), ...(envelope ? { envelope: toBase64Url(envelope) } : {}) };
}

function member(party: Party, room: ReturnType<typeof buildRoom>, log: readonly LogEntry[]) {
  const sent: Outgoing[] = [];
  const membership = new Membership(room.link.room, party.self, 0);
  const secure = new SecureRoom(membership, media, { open: true, send: (m) => (sent.push(m), true) }, { removed() {}, ended() {} });
  secure.welcomed(party.pid);
  secure.receive({ v: PROTOCOL_VERSION, type: 'commits', commits: log.map((e) => wire(e, party)) });
  const confirmations = () => sent.filter((m): m is Extract<Outgoing, { type: 'relay' }> => m.type === 'relay');
  return { secure, membership, confirmations };
}

const relayFrom = (party: Party, payload: string) => ({ v: PROTOCOL_VERSION, type: 'relay' as const, from: party.pid, payload });

describe('[F1] epoch confirmations between members', () => {
  it('each member confirms its epoch once, and members holding the same commit agree', () => {
    const room = buildRoom(2);
    const [ann, ben] = [room.guests[0]!, room.guests[1]!];
    const a = member(ann, room, room.relay.log);
    const b = member(ben, room, room.relay.log);
    expect(a.confirmations()).toHaveLength(1);
    b.secure.receive(relayFrom(ann, a.confirmations()[0]!.payload));
    expect(b.secure.forks).toEqual([]);
    expect(b.secure.unopenedCurrent).toBe(0);
  });

  it('tells a member that another holds a different version of the same epoch (an equivocating host)', () => {
    const room = buildRoom(2);
    const [ann, ben] = [room.guests[0]!, room.guests[1]!];
    // Two different commits for the next epoch, each with its own secret: Ann gets one, Ben the other.
    const one = entryOf(host.rekey(room.host.state));
    const other = entryOf(host.rekey(room.host.state));
    expect(one.epoch).toBe(other.epoch);
    const a = member(ann, room, [...room.relay.log, one]);
    const b = member(ben, room, [...room.relay.log, other]);
    expect(a.membership.epoch).toBe(b.membership.epoch);
    expect(a.membership.code?.digits).not.toBe(b.membership.code?.digits);
    // Ann's confirmation is sealed under her version's key: it cannot open at Ben's, who says so.
    b.secure.receive(relayFrom(ann, a.confirmations().at(-1)!.payload));
    expect(b.secure.unopenedCurrent).toBe(1);
  });

  it('flags a confirmation of the same epoch and secret but another commit as a fork', () => {
    const room = buildRoom(1);
    const ann = room.guests[0]!;
    const a = member(ann, room, room.relay.log);
    const state = a.membership.state as InRoomState;
    const forged = makeConfirmation({ ...state, commitHash: new Uint8Array(state.commitHash.length).fill(7) }, 0);
    expect(a.membership.checkConfirmation(forged)).toBe('fork');
    expect(a.membership.checkConfirmation(makeConfirmation(state, 0))).toBe('agree');
  });
});
