import { describe, expect, it } from 'vitest';
import { participantIdText, wrappedCommitEpoch, openEnvelope, MembershipError, Reason, VerificationError, host, generateIdentity } from '../../crypto/index';
import { expectRejected } from '../scenario/errors';
import { admitGuests, buildRoom, inRoom, newGuest, newLink, newParticipantId, newSelf, type Party } from '../scenario/fixtures';

describe('host: create room', () => {
  it('makes epoch 0 with the host alone at index 0', async () => {
    const room = await buildRoom(0);
    const state = inRoom(room.host);
    expect(state.epoch).toBe(0);
    expect(state.members.map((m) => m.index)).toEqual([0]);
    expect(state.hostIndex).toBe(0);
    expect(state.ownIndex).toBe(0);
    expect(wrappedCommitEpoch(room.relay.latest().wrapped)).toBe(0);
  });

  it('refuses an identity other than the one whose fingerprint the link carries (host-mismatch)', async () => {
    const link = newLink();
    await expectRejected(
      () => host.createRoom({ room: link.room, self: newSelf(generateIdentity()), participantId: newParticipantId(), displayName: 'Mallory' }),
      VerificationError,
      Reason.hostMismatch,
    );
  });
});

describe('host: admit', () => {
  it('admits several guests in one commit, at the smallest free indexes', async () => {
    const room = await buildRoom(3);
    room.relay.publish(await host.remove(room.host.state, [1, 3]), room.host);
    room.relay.deliver(room.guests[1] as Party);
    const [g1, g2] = [newGuest(room.link, 'Dee'), newGuest(room.link, 'Eli')];
    const result = await admitGuests(room.link, room.relay, room.host, [room.guests[1] as Party], [g1, g2]);
    expect(result.epoch).toBe(inRoom(room.host).epoch);
    expect(inRoom(g1).ownIndex).toBe(1);
    expect(inRoom(g2).ownIndex).toBe(3);
    expect(inRoom(room.host).members.map((m) => m.index)).toEqual([0, 1, 2, 3]);
  });

  it('seals the new epoch secret to every listed member, keyed by participant id', async () => {
    const room = await buildRoom(2);
    const result = await host.rekey(room.host.state);
    const state = inRoom(room.host);
    expect([...result.envelopes.keys()].sort()).toEqual(state.members.map((m) => participantIdText(m.participantId)).sort());
    const next = result.state;
    if (next.kind !== 'member') throw new Error('the host left the room');
    for (const party of [room.host, ...room.guests]) {
      const envelope = result.envelopes.get(party.pid) as Uint8Array;
      expect(openEnvelope(party.self.roomKey, result.epoch, envelope)).toEqual(next.epochSecret);
    }
  });

  it('refuses to go beyond 50 members (room-full)', async () => {
    const room = await buildRoom(48);
    const [a, b] = [newGuest(room.link, 'A'), newGuest(room.link, 'B')];
    await expectRejected(() => admitGuests(room.link, room.relay, room.host, [], [a, b]), MembershipError, Reason.roomFull);
    await admitGuests(room.link, room.relay, room.host, [], [a]);
    expect(inRoom(room.host).members).toHaveLength(50);
  });

  it('refuses an identity already in the room (duplicate-member) and an empty batch', async () => {
    const room = await buildRoom(1);
    const ann = inRoom(room.guests[0] as Party);
    const again = ann.members.find((m) => m.index === 1);
    if (again === undefined) throw new Error('no member 1');
    await expectRejected(() => host.admit(room.host.state, [{ participantId: newParticipantId(), request: again }]), MembershipError, Reason.duplicateMember);
    await expectRejected(() => host.admit(room.host.state, []), MembershipError, Reason.actionMismatch);
  });
});

describe('host: other commands', () => {
  it('are refused to a member who is not the host (not-host)', async () => {
    const room = await buildRoom(1);
    const ann = room.guests[0] as Party;
    await expectRejected(() => host.rekey(ann.state), MembershipError, Reason.notHost);
    await expectRejected(() => host.remove(ann.state, [0]), MembershipError, Reason.notHost);
    await expectRejected(() => host.end(ann.state), MembershipError, Reason.notHost);
  });

  it('refuse to remove the host itself or an index with no member', async () => {
    const room = await buildRoom(1);
    await expectRejected(() => host.remove(room.host.state, [0]), MembershipError, Reason.actionMismatch);
    await expectRejected(() => host.remove(room.host.state, [5]), MembershipError, Reason.notMember);
    await expectRejected(() => host.leave(room.host.state, 0), MembershipError, Reason.actionMismatch);
  });

  it('refuse to transfer to the current host or to no one', async () => {
    const room = await buildRoom(1);
    await expectRejected(() => host.transfer(room.host.state, 0), MembershipError, Reason.actionMismatch);
    await expectRejected(() => host.transfer(room.host.state, 9), MembershipError, Reason.notMember);
  });

  it('lock and unlock set the flag in the signed commit', async () => {
    const room = await buildRoom(0);
    room.relay.publish(await host.setLocked(room.host.state, true), room.host);
    expect(inRoom(room.host).locked).toBe(true);
    expect(inRoom(room.host).action).toBe('lock');
    room.relay.publish(await host.setLocked(room.host.state, false), room.host);
    expect(inRoom(room.host).locked).toBe(false);
  });

  it('end carries an envelope for every member, so each can read it, and ends the host state too', async () => {
    const room = await buildRoom(1);
    const result = await host.end(room.host.state);
    expect([...result.envelopes.keys()].sort()).toEqual([room.host.pid, room.guests[0]!.pid].sort());
    expect(result.state.kind).toBe('ended');
    room.relay.publish(result, room.host);
    expect(room.relay.deliver(room.guests[0]!).error).toBeUndefined();
    expect(room.guests[0]!.state.kind).toBe('ended');
  });
});
