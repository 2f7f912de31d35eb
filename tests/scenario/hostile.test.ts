// A hostile relay, one attack per test. The relay routes every byte between members and host;
// where stated it also holds the link (a former member or a guest colluding with the server).
// Each attack must be refused with its specific typed reason, or detected by the members.
import { describe, expect, it } from 'vitest';
import {
  type SignedCommit,
  concat,
  decodeCommitBody,
  encodeCommitBody,
  participantIdBytes,
  checkConfirmation,
  makeConfirmation,
  generateEpochSecret,
  sealEnvelope,
  commitKey,
  unwrapCommit,
  EpochError,
  MembershipError,
  Reason,
  ReplayError,
  VerificationError,
  host,
  fingerprint,
  generateIdentity,
  generateRoomKey,
  signRoomKey,
  createJoinRequest,
  encodeJoinRequest,
  openJoinRequest,
  callCode,
  sodium,
} from '../../crypto/index';
import { expectError, expectRefused } from './errors';
import { admitGuests, buildRoom, inRoom, knock, newGuest, newLink, type Party, startRoom } from './fixtures';
import { forgeNext, rewrap, wrapForRoom } from './forge';
import { Relay, entryOf } from './relay';

const codeOf = (p: Party) => callCode(inRoom(p).commitHash).digits;
const flip = (bytes: Uint8Array, at: number) => {
  const out = bytes.slice();
  out[at] = (out[at] as number) ^ 0x01;
  return out;
};

describe('hostile relay: key substitution in a join request', () => {
  it('cannot read, alter or replace a knock it carries', async () => {
    const room = await buildRoom(1);
    const cleo = newGuest(room.link, 'Cleo');
    room.relay.sync(cleo);
    const sealed = await knock(cleo, room.link);
    const { roomKey: hostRoomKey } = room.host.self;
    const { joinMacKey, roomId } = room.link.room;

    // Altered in transit: the sealed box no longer opens.
    expectError(() => openJoinRequest(hostRoomKey, joinMacKey, roomId, flip(sealed, 40), participantIdBytes(cleo.pid)), VerificationError, Reason.authFailed);

    // Replaced by the relay's own request with its own keys: it lacks the link, so the MAC fails.
    const mallory = { identity: generateIdentity(), roomKey: generateRoomKey() };
    const replaced = await createJoinRequest({ ...mallory, roomId, participantId: participantIdBytes(cleo.pid), hostRoomPublicKey: hostRoomKey.publicKey, displayName: 'Cleo', joinMacKey: sodium().randombytes_buf(32) });
    expectError(() => openJoinRequest(hostRoomKey, joinMacKey, roomId, replaced, participantIdBytes(cleo.pid)), VerificationError, Reason.badLinkSecret);

    // With the link (colluding guest): Cleo's identity key next to the relay's room key. The MAC
    // is right, but Cleo never signed that room key, and the relay cannot sign for her.
    const substituted = encodeJoinRequest(
      {
        roomId,
        participantId: participantIdBytes(cleo.pid),
        identityPublicKey: cleo.self.identity.publicKey,
        roomPublicKey: mallory.roomKey.publicKey,
        roomKeySignature: await signRoomKey(mallory.identity, roomId, mallory.roomKey.publicKey),
        hostRoomPublicKey: hostRoomKey.publicKey,
        displayName: 'Cleo',
      },
      joinMacKey,
    );
    const resealed = sodium().crypto_box_seal(substituted, hostRoomKey.publicKey);
    expectError(() => openJoinRequest(hostRoomKey, joinMacKey, roomId, resealed, participantIdBytes(cleo.pid)), VerificationError, Reason.badSignature);

    // Cleo's genuine knock, replayed by the relay as if it came from another connection (its own):
    // the request names the connection that made it.
    expectError(() => openJoinRequest(hostRoomKey, joinMacKey, roomId, sealed, sodium().randombytes_buf(16)), VerificationError, Reason.wrongParticipant);

    // The honest knock goes through, and the key admitted is Cleo's own.
    await admitGuests(room.link, room.relay, room.host, room.guests, [cleo]);
    const listed = inRoom(room.host).members.find((m) => m.index === inRoom(cleo).ownIndex);
    expect(listed?.roomPublicKey).toEqual(cleo.self.roomKey.publicKey);
  });

  it('cannot make a guest knock to a host key of its choosing: a fake log is refused (host-mismatch)', async () => {
    const link = newLink();
    const impostor = generateIdentity();
    const fakeRelay = new Relay();
    // The relay (holding the link) starts a look-alike chain under its own identity.
    await startRoom({ ...link, hostIdentity: impostor, room: { ...link.room, hostFingerprint: fingerprint(impostor.publicKey) } }, fakeRelay, 'Impostor');
    const guest = newGuest(link, 'Dana');
    expectRefused(fakeRelay.sync(guest), VerificationError, Reason.hostMismatch);
    expect(() => knock(guest, link)).toThrow(/has not read the room's log/);
  });
});

describe('hostile relay: a ghost member', () => {
  it('cannot add one without the epoch secret (auth-failed), nor with it (bad-signature), nor by signing itself (not-host)', async () => {
    const room = await buildRoom(3);
    const [ann, bob, cleo] = room.guests as [Party, Party, Party];
    const codes = [codeOf(ann), codeOf(bob), codeOf(cleo)];
    const ghostId = generateIdentity();
    const ghostKey = generateRoomKey();
    const ghost = {
      index: 9,
      identityPublicKey: ghostId.publicKey,
      roomPublicKey: ghostKey.publicKey,
      roomKeySignature: await signRoomKey(ghostId, room.link.room.roomId, ghostKey.publicKey),
      participantId: sodium().randombytes_buf(16),
      displayName: 'Ghost',
    };
    room.relay.publish(await host.rekey(room.host.state), room.host);

    // Without the epoch's secret (the server, or anyone with only the link): any change breaks its authentication.
    expectRefused(room.relay.deliver(ann, room.relay.latest(), (m) => ({ ...m, wrapped: flip(m.wrapped, m.wrapped.length - 1) })), VerificationError, Reason.authFailed);

    // With the epoch's secret (a member, or a server handed one): add the ghost, keep the host's signature.
    const withGhost = (m: { wrapped: Uint8Array; envelope?: Uint8Array }) => ({
      ...m,
      wrapped: rewrap(room.link, m.wrapped, inRoom(room.host).epochSecret, (signed: SignedCommit) => {
        const body = decodeCommitBody(signed.bytes.subarray(0, signed.bytes.length - 64));
        return concat(encodeCommitBody({ ...body, action: 'admit', members: [...body.members, ghost] }), signed.signature);
      }),
    });
    expectRefused(room.relay.deliver(bob, room.relay.latest(), withGhost), VerificationError, Reason.badSignature);

    // With the link and its own identity: a valid signature, but not the host's.
    const selfSigned = await forgeNext(room.link, inRoom(cleo), { action: 'admit', members: [...inRoom(cleo).members, ghost] }, ghostId);
    expectRefused(room.relay.deliver(cleo, selfSigned.entry), MembershipError, Reason.notHost);

    // Nobody moved; the honest commit still applies and the codes agree.
    expect([codeOf(ann), codeOf(bob), codeOf(cleo)]).toEqual(codes);
    for (const r of room.relay.broadcast([ann, bob, cleo])) expect(r.error).toBeUndefined();
    expect(new Set([codeOf(room.host), codeOf(ann), codeOf(bob), codeOf(cleo)]).size).toBe(1);
  });
});

describe('hostile relay: replayed and reordered commits', () => {
  it('refuses a commit delivered twice, and an old commit delivered again later (replayed)', async () => {
    const room = await buildRoom(2);
    const [ann] = room.guests as [Party, Party];
    const admit = room.relay.latest();
    room.relay.publish(await host.rekey(room.host.state), room.host);
    expect(room.relay.deliver(ann).error).toBeUndefined();
    expectRefused(room.relay.deliver(ann), ReplayError, Reason.replayed);
    expectRefused(room.relay.deliver(ann, admit), ReplayError, Reason.replayed);
    // Epoch 0 predates her: she was never given a key that opens it.
    expectRefused(room.relay.deliver(ann, room.relay.log[0]), VerificationError, Reason.missingEnvelope);
    expect(codeOf(ann)).toBe(codeOf(room.host));
  });

  it('refuses commits delivered out of order (gap, then replayed) and applies them in order', async () => {
    const room = await buildRoom(2);
    const [ann, bob] = room.guests as [Party, Party];
    const first = room.relay.publish(await host.rekey(room.host.state), room.host);
    const second = room.relay.publish(await host.setLocked(room.host.state, true), room.host);
    expectRefused(room.relay.deliver(ann, second), EpochError, Reason.gap);
    expect(room.relay.deliver(ann, first).error).toBeUndefined();
    expect(room.relay.deliver(ann, second).error).toBeUndefined();
    expectRefused(room.relay.deliver(ann, first), ReplayError, Reason.replayed);
    room.relay.sync(bob);
    expect(codeOf(ann)).toBe(codeOf(bob));
    expect(inRoom(ann).locked).toBe(true);
  });

  it('refuses a commit of an epoch older than the one held that it never saw (out-of-order)', async () => {
    const room = await buildRoom(2);
    const [ann] = room.guests as [Party, Party];
    const stale = entryOf(await host.rekey(room.host.state)); // made, never published: the relay kept it
    room.relay.publish(await host.rekey(room.host.state), room.host);
    room.relay.deliver(ann);
    room.relay.publish(await host.rekey(room.host.state), room.host);
    room.relay.deliver(ann);
    expectRefused(room.relay.deliver(ann, stale), EpochError, Reason.outOfOrder);
  });
});

describe('hostile relay: a dropped commit', () => {
  it('is noticed as a gap, and a resync from the log restores the shared code', async () => {
    const room = await buildRoom(3);
    const [ann, bob, cleo] = room.guests as [Party, Party, Party];
    room.relay.publish(await host.rekey(room.host.state), room.host);
    room.relay.broadcast([bob, cleo]); // Ann's copy is dropped
    room.relay.publish(await host.rekey(room.host.state), room.host);
    room.relay.broadcast([bob, cleo]);
    expectRefused(room.relay.deliver(ann), EpochError, Reason.gap);
    expect(codeOf(ann)).not.toBe(codeOf(bob));
    expect(room.relay.sync(ann).error).toBeUndefined();
    expect(new Set([codeOf(room.host), codeOf(ann), codeOf(bob), codeOf(cleo)]).size).toBe(1);
  });
});

describe('hostile relay: envelopes', () => {
  it('cannot substitute its own epoch secret (secret-mismatch) or hand a member another one\'s envelope (auth-failed)', async () => {
    const room = await buildRoom(2);
    const [ann, bob] = room.guests as [Party, Party];
    const result = await host.rekey(room.host.state);
    room.relay.publish(result, room.host);
    // A secret of its own opens nothing: the commit is wrapped under a key of the host's secret.
    const own = generateEpochSecret();
    expectRefused(room.relay.deliver(ann, room.relay.latest(), (m) => ({ ...m, envelope: sealEnvelope(result.epoch, own, ann.self.roomKey.publicKey) })), VerificationError, Reason.authFailed);
    // One that can read the commit (a member of the epoch) re-wraps it under its own secret: the signed commitment refuses it.
    const plain = unwrapCommit(commitKey(inRoom(room.host).epochSecret, room.link.room.roomId, result.epoch), room.link.room.roomId, result.wrappedCommit);
    const underOwn = { wrapped: wrapForRoom(room.link, plain.bytes, result.epoch, own), envelope: sealEnvelope(result.epoch, own, ann.self.roomKey.publicKey) };
    expectRefused(room.relay.deliver(ann, room.relay.latest(), () => underOwn), VerificationError, Reason.secretMismatch);
    expectRefused(room.relay.deliver(ann, room.relay.latest(), (m) => ({ ...m, envelope: result.envelopes.get(bob.pid) as Uint8Array })), VerificationError, Reason.authFailed);
    expect(room.relay.deliver(ann).error).toBeUndefined();
  });
});

describe('hostile relay: equivocation', () => {
  it('shows two validly signed commits for one epoch to different members; the split is detected three ways', async () => {
    const room = await buildRoom(4);
    const [ann, bob, cleo, dee] = room.guests as [Party, Party, Party, Party];
    // The host's client made two commits from the same state (e.g. a retry after a reconnect);
    // the relay kept both and shows X to Ann and Cleo, Y to Bob and Dee.
    const x = await host.rekey(room.host.state);
    const y = await host.setLocked(room.host.state, true);
    for (const p of [ann, cleo]) expect(room.relay.deliver(p, entryOf(x)).error).toBeUndefined();
    for (const p of [bob, dee]) expect(room.relay.deliver(p, entryOf(y)).error).toBeUndefined();

    // 1. The two sides see different call codes.
    expect(codeOf(ann)).toBe(codeOf(cleo));
    expect(codeOf(bob)).toBe(codeOf(dee));
    expect(codeOf(ann)).not.toBe(codeOf(bob));

    // 2. The confirmation MAC each side sends does not match the other side's.
    const a = inRoom(ann);
    const b = inRoom(bob);
    expect(checkConfirmation(inRoom(cleo), makeConfirmation(a, a.ownIndex))).toBe(a.ownIndex);
    expectError(() => checkConfirmation(b, makeConfirmation(a, a.ownIndex)), EpochError, Reason.fork);
    expectError(() => checkConfirmation(a, makeConfirmation(b, b.ownIndex)), EpochError, Reason.fork);

    // 3. The host goes on from X; the next commit is refused as a fork on Y's side.
    room.relay.publish(x, room.host);
    room.relay.publish(await host.rekey(room.host.state), room.host);
    expect(room.relay.deliver(ann).error).toBeUndefined();
    expectRefused(room.relay.deliver(bob), EpochError, Reason.fork);
    // And X itself, offered to Y's side, is a second commit for an epoch it holds.
    expectRefused(room.relay.deliver(dee, entryOf(x)), EpochError, Reason.fork);
  });
});
