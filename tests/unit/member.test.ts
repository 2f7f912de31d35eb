import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  epochBaseKeys,
  EpochError,
  MembershipError,
  Reason,
  SealroomCryptoError,
  VerificationError,
  host,
  type MemberState,
  chainHead,
  currentBaseKeys,
  hostRoomKey,
  isHost,
  transition,
} from '../../crypto/index';
import { expectRefused } from '../scenario/errors';
import { admitGuests, buildRoom, inRoom, newGuest, type Party } from '../scenario/fixtures';

describe('member transition', () => {
  it('never throws and leaves the state untouched on garbage input', async () => {
    const room = await buildRoom(1);
    const ann = room.guests[0] as Party;
    const before = ann.state;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.option(fc.uint8Array({ maxLength: 100 }), { nil: undefined }), (wrapped, envelope) => {
        const event = envelope === undefined ? { type: 'commit' as const, wrapped } : { type: 'commit' as const, wrapped, envelope };
        const result = transition(before, event);
        expect(result.state).toBe(before);
        expect(result.effects).toEqual([]);
        expect(result.error).toBeInstanceOf(SealroomCryptoError);
      }),
    );
  });

  it('moves a guest from the lobby to member when it reads a log ending in its admit', async () => {
    const room = await buildRoom(0);
    const guest = newGuest(room.link, 'Cleo');
    room.relay.sync(guest);
    expect(guest.state.kind).toBe('lobby');
    expect(hostRoomKey(guest.state)).toEqual(room.host.self.roomKey.publicKey);
    await admitGuests(room.link, room.relay, room.host, [], [guest]);
    // A second device of the same story: a fresh lobby state reading the whole log at once.
    const replay: Party = { ...guest, state: { kind: 'lobby', room: room.link.room, self: guest.self, lobby: null, head: null } };
    const result = room.relay.sync(replay);
    expect(result.error).toBeUndefined();
    expect(result.effects.map((e) => e.type)).toEqual(['admitted', 'epoch']);
    expect(inRoom(replay).ownIndex).toBe(1);
    expect(inRoom(replay).epochSecret).toEqual(inRoom(guest).epochSecret);
  });

  it('keeps the previous epoch secret for the grace period', async () => {
    const room = await buildRoom(1);
    const ann = room.guests[0] as Party;
    const before = inRoom(ann);
    room.relay.publish(await host.rekey(room.host.state), room.host);
    room.relay.deliver(ann);
    expect(inRoom(ann).previous).toEqual({ epoch: before.epoch, epochSecret: before.epochSecret });
    expect(inRoom(ann).epochSecret).not.toEqual(before.epochSecret);
  });

  it('reports membership, host and lock changes as effects', async () => {
    const room = await buildRoom(2);
    const [ann, bob] = room.guests as [Party, Party];
    room.relay.publish(await host.setLocked(room.host.state, true), room.host);
    expect(room.relay.deliver(ann).effects).toContainEqual({ type: 'locked', locked: true });
    room.relay.publish(await host.transfer(room.host.state, 2), room.host);
    expect(room.relay.deliver(ann).effects).toContainEqual({ type: 'host', hostIndex: 2 });
    room.relay.deliver(bob, room.relay.log[room.relay.log.length - 2]);
    room.relay.deliver(bob);
    expect(isHost(bob.state)).toBe(true);
    room.relay.publish(await host.remove(bob.state, [0]), bob);
    const effects = room.relay.deliver(ann).effects;
    const members = effects.find((e) => e.type === 'members');
    expect(members?.type === 'members' && members.removed.map((m) => m.index)).toEqual([0]);
  });

  it('applies a log all-or-nothing, skipping commits it already holds', async () => {
    const room = await buildRoom(1);
    const ann = room.guests[0] as Party;
    room.relay.publish(await host.rekey(room.host.state), room.host);
    room.relay.publish(await host.rekey(room.host.state), room.host);
    const result = room.relay.sync(ann);
    expect(result.error).toBeUndefined();
    expect(inRoom(ann).epoch).toBe(inRoom(room.host).epoch);
    expect(inRoom(ann).epochSecret).toEqual(inRoom(room.host).epochSecret);

    room.relay.publish(await host.rekey(room.host.state), room.host);
    const before = ann.state;
    const broken = room.relay.sync(ann, 0, (m, to) => (to === ann && m.wrapped === room.relay.latest().wrapped ? { wrapped: m.wrapped } : m));
    expectRefused(broken, VerificationError, Reason.missingEnvelope);
    expect(ann.state).toBe(before);
  });

  it('refuses every commit once removed (not-member) or once the room ended (room-ended)', async () => {
    const room = await buildRoom(2);
    const [ann, bob] = room.guests as [Party, Party];
    room.relay.publish(await host.remove(room.host.state, [1]), room.host);
    expect(room.relay.deliver(ann).effects).toEqual([{ type: 'removed' }]);
    expect(ann.state.kind).toBe('removed');
    room.relay.deliver(bob);
    room.relay.publish(await host.end(room.host.state), room.host);
    expect(room.relay.deliver(bob).effects).toEqual([{ type: 'ended' }]);
    expectRefused(room.relay.deliver(ann), MembershipError, Reason.notMember);
    expectRefused(room.relay.deliver(bob), EpochError, Reason.roomEnded);
  });

  it('exposes the chain head and the base keys of every member of the epoch', async () => {
    const room = await buildRoom(2);
    const ann = inRoom(room.guests[0] as Party);
    expect(chainHead(ann)?.commitHash).toEqual(ann.commitHash);
    expect(currentBaseKeys(ann)).toEqual(epochBaseKeys(ann.epochSecret, ann.roomId, ann.epoch, [0, 1, 2]));
    const lobbyState: MemberState = { kind: 'lobby', room: room.link.room, self: ann.self, lobby: null, head: null };
    expect(chainHead(lobbyState)).toBeNull();
    expect(hostRoomKey(lobbyState)).toBeNull();
  });
});
