// Honest paths through a relay that behaves: joining, leaving, removal, lock, host transfer, end.
// Every member runs the real state machine with real keys; media keys are checked with real SFrame.
import { describe, expect, it } from 'vitest';
import {
  epochBaseKeys,
  kidFor,
  sframeBaseKey,
  MembershipError,
  Reason,
  VerificationError,
  host,
  type InRoomState,
  currentBaseKeys,
  callCode,
  CipherSuite,
  sframeDecrypt,
  sframeEncrypt,
  openEnvelope,
  unwrapCommit,
  commitKey,
  commitKeyFromHandoff,
  utf8,
} from '../../crypto/index';
import { expectRejected, expectError, expectRefused } from './errors';
import { admitGuests, buildRoom, inRoom, newGuest, type Party } from './fixtures';
import { forgeNext } from './forge';

const suite = CipherSuite.AES_128_GCM_SHA256_128;
const codeOf = (p: Party) => callCode(inRoom(p).commitHash).digits;

/** A frame from `sender` in its current epoch. */
async function frameFrom(sender: Party, ctr: bigint) {
  const s = inRoom(sender);
  const kid = kidFor(s.epoch, s.ownIndex);
  const baseKey = sframeBaseKey(s.epochSecret, s.roomId, s.epoch, s.ownIndex);
  return sframeEncrypt({ suite, baseKey, kid, ctr, metadata: new Uint8Array(0), plaintext: utf8(`frame ${ctr} from ${sender.name}`) });
}

/** How many of `keys` open `frame` (a holder would try the key its KID names; we try them all). */
async function opensWith(keys: Map<bigint, Uint8Array>, frame: Uint8Array): Promise<number> {
  let opened = 0;
  for (const baseKey of keys.values()) {
    try {
      await sframeDecrypt({ suite, baseKey, metadata: new Uint8Array(0), ciphertext: frame });
      opened++;
    } catch {
      // refused, as it should be for a key of another epoch or sender
    }
  }
  return opened;
}

describe('scenario: joining', () => {
  it('admits two knocking guests in one commit, and all three see the same call code', async () => {
    const room = await buildRoom(2);
    const [ann, bob] = room.guests as [Party, Party];
    expect([inRoom(ann).ownIndex, inRoom(bob).ownIndex]).toEqual([1, 2]);
    expect(inRoom(ann).epoch).toBe(1);
    expect(new Set([codeOf(room.host), codeOf(ann), codeOf(bob)]).size).toBe(1);
    expect(callCode(inRoom(ann).commitHash).words).toEqual(callCode(inRoom(room.host).commitHash).words);
  });

  it('changes the call code for everyone when membership changes', async () => {
    const room = await buildRoom(2);
    const [ann, bob] = room.guests as [Party, Party];
    const before = codeOf(ann);
    const cleo = newGuest(room.link, 'Cleo');
    await admitGuests(room.link, room.relay, room.host, [ann, bob], [cleo]);
    expect(codeOf(ann)).not.toBe(before);
    expect(new Set([codeOf(room.host), codeOf(ann), codeOf(bob), codeOf(cleo)]).size).toBe(1);
  });

  it('lets members decode each other, but a late joiner cannot read frames of an earlier epoch', async () => {
    const room = await buildRoom(2);
    const [ann, bob] = room.guests as [Party, Party];
    const early = await frameFrom(ann, 1n);
    expect(await opensWith(currentBaseKeys(inRoom(bob)), early)).toBe(1);
    const cleo = newGuest(room.link, 'Cleo');
    await admitGuests(room.link, room.relay, room.host, [ann, bob], [cleo]);
    expect(await opensWith(currentBaseKeys(inRoom(cleo)), early)).toBe(0);
    expect(await opensWith(currentBaseKeys(inRoom(cleo)), await frameFrom(ann, 2n))).toBe(1);
  });
});

describe('scenario: leaving and removal', () => {
  it('records a leave: the leaver is out, the rest agree on the new code', async () => {
    const room = await buildRoom(3);
    const [ann, bob, cleo] = room.guests as [Party, Party, Party];
    const result = await host.leave(room.host.state, inRoom(bob).ownIndex);
    room.relay.publish(result, room.host);
    const [ra, rb, rc] = room.relay.broadcast([ann, bob, cleo]);
    expect([ra?.error, rb?.error, rc?.error]).toEqual([undefined, undefined, undefined]);
    expect(bob.state.kind).toBe('removed');
    expect(result.envelopes.has(bob.pid)).toBe(false);
    expect(new Set([codeOf(room.host), codeOf(ann), codeOf(cleo)]).size).toBe(1);
  });

  it('locks a removed member out: no envelope, no new keys, and its old keys fail on new frames', async () => {
    const room = await buildRoom(3);
    const [ann, bob, cleo] = room.guests as [Party, Party, Party];
    const annBefore = inRoom(ann);
    const oldKeys = currentBaseKeys(annBefore);
    const result = await host.remove(room.host.state, [annBefore.ownIndex]);
    room.relay.publish(result, room.host);
    room.relay.broadcast([ann, bob, cleo]);

    expect(result.envelopes.has(ann.pid)).toBe(false);
    expect(ann.state.kind).toBe('removed');
    const bobNow = inRoom(bob);
    expect(bobNow.members.map((m) => m.index)).not.toContain(annBefore.ownIndex);

    // Even handed another member's envelope, the removed member cannot open it.
    expectError(() => openEnvelope(ann.self.roomKey, result.epoch, result.envelopes.get(bob.pid) as Uint8Array), VerificationError, Reason.authFailed);
    // Nor any commit after its removal: the next one opens only with the new epoch's secret.
    const after = await host.rekey(room.host.state);
    expectError(() => unwrapCommit(commitKey(annBefore.epochSecret, bobNow.roomId, after.epoch), bobNow.roomId, after.wrappedCommit), VerificationError, Reason.authFailed);
    expectError(() => commitKeyFromHandoff(annBefore.epochSecret, bobNow.roomId, after.wrappedCommit), VerificationError, Reason.authFailed);

    // None of the keys it kept is a key of the new epoch, and none opens a new frame.
    const newKeys = currentBaseKeys(bobNow);
    for (const key of oldKeys.values()) for (const fresh of newKeys.values()) expect(key).not.toEqual(fresh);
    const frame = await frameFrom(bob, 1n);
    expect(await opensWith(newKeys, frame)).toBe(1);
    expect(await opensWith(oldKeys, frame)).toBe(0);

    // And it follows no further commits.
    room.relay.publish(await host.rekey(room.host.state), room.host);
    expectRefused(room.relay.deliver(ann), MembershipError, Reason.notMember);
    expect(room.relay.deliver(cleo).error).toBeUndefined();
  });
});

describe('scenario: lock, transfer and end', () => {
  it('carries the lock flag in the signed commit every member accepts', async () => {
    const room = await buildRoom(2);
    room.relay.publish(await host.setLocked(room.host.state, true), room.host);
    for (const r of room.relay.broadcast(room.guests)) expect(r.effects).toContainEqual({ type: 'locked', locked: true });
    for (const g of room.guests) expect(inRoom(g).locked).toBe(true);
  });

  it('hands the host role over: the new host commits, the old host is refused as not-host', async () => {
    const room = await buildRoom(3);
    const [ann, bob, cleo] = room.guests as [Party, Party, Party];
    room.relay.publish(await host.transfer(room.host.state, inRoom(bob).ownIndex), room.host);
    room.relay.broadcast([ann, bob, cleo]);
    expect(inRoom(ann).hostIndex).toBe(inRoom(bob).ownIndex);

    // The old host's client, still believing it is host, signs a commit that extends the chain.
    const oldHostView: InRoomState = { ...inRoom(room.host), hostIndex: 0 };
    const rogue = await forgeNext(room.link, oldHostView, {}, room.host.self.identity);
    expectRefused(room.relay.deliver(ann, rogue.entry), MembershipError, Reason.notHost);
    await expectRejected(() => host.rekey(room.host.state), MembershipError, Reason.notHost);

    // The new host's commit is accepted by everyone, the old host included.
    room.relay.publish(await host.remove(bob.state, [inRoom(cleo).ownIndex]), bob);
    const results = room.relay.broadcast([room.host, ann, cleo]);
    expect(results.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
    expect(cleo.state.kind).toBe('removed');
    expect(codeOf(room.host)).toBe(codeOf(bob));
    expect(codeOf(ann)).toBe(codeOf(bob));
  });

  it('ends the room for every member', async () => {
    const room = await buildRoom(2);
    room.relay.publish(await host.end(room.host.state), room.host);
    for (const r of room.relay.broadcast(room.guests)) expect(r.effects).toEqual([{ type: 'ended' }]);
    expect(room.guests.map((g) => g.state.kind)).toEqual(['ended', 'ended']);
  });

  it('installs the same base keys on every member for every sender of the epoch', async () => {
    const room = await buildRoom(3);
    const states = [room.host, ...room.guests].map(inRoom);
    const reference = states[0] as InRoomState;
    const expected = epochBaseKeys(reference.epochSecret, reference.roomId, reference.epoch, [0, 1, 2, 3]);
    for (const s of states) expect(currentBaseKeys(s)).toEqual(expected);
  });
});
