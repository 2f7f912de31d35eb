// Each rule of crypto/chain.ts, shown to refuse a commit that breaks it and nothing else.
import { describe, expect, it } from 'vitest';
import {
  commitToSecret,
  type CommitMember,
  ZERO_HASH,
  signCommit,
  generateEpochSecret,
  sealEnvelope,
  lobby,
  CodecError,
  EpochError,
  MembershipError,
  Reason,
  ReplayError,
  VerificationError,
  generateIdentity,
  generateRoomKey,
  signRoomKey,
  transition,
  host,
  sodium,
} from '../../crypto/index';
import { expectRefused } from '../scenario/errors';
import { buildRoom, inRoom, newGuest, type Party } from '../scenario/fixtures';
import { entryFor, forgeNext, wrapForRoom } from '../scenario/forge';

async function setup() {
  const room = await buildRoom(2);
  const [ann, bob] = room.guests as [Party, Party];
  const base = inRoom(room.host);
  return { room, ann, bob, base, link: room.link };
}

async function newcomer(roomId: Uint8Array, index: number, overrides: Partial<CommitMember> = {}): Promise<CommitMember> {
  const identity = generateIdentity();
  const roomKey = generateRoomKey();
  return {
    index,
    identityPublicKey: identity.publicKey,
    roomPublicKey: roomKey.publicKey,
    roomKeySignature: await signRoomKey(identity, roomId, roomKey.publicKey),
    participantId: sodium().randombytes_buf(16),
    displayName: `New ${index}`,
    ...overrides,
  };
}

describe('commit chain: an honest next commit', () => {
  it('is accepted and advances the epoch', async () => {
    const { room, ann, base } = await setup();
    const result = room.relay.deliver(ann, (await forgeNext(room.link, base)).entry);
    expect(result.error).toBeUndefined();
    expect(inRoom(ann).epoch).toBe(base.epoch + 1);
  });
});

describe('commit chain: ordering', () => {
  it('refuses the same commit twice (replayed)', async () => {
    const { room, ann, base } = await setup();
    const { entry } = await forgeNext(room.link, base);
    room.relay.deliver(ann, entry);
    expectRefused(room.relay.deliver(ann, entry), ReplayError, Reason.replayed);
  });

  it('refuses a second, different commit for the epoch held (fork)', async () => {
    const { room, ann, base } = await setup();
    room.relay.deliver(ann, (await forgeNext(room.link, base)).entry);
    expectRefused(room.relay.deliver(ann, (await forgeNext(room.link, base)).entry), EpochError, Reason.fork);
  });

  it('refuses an older epoch it never held (out-of-order)', async () => {
    const { room, ann, base } = await setup();
    room.relay.deliver(ann, (await forgeNext(room.link, base)).entry);
    const next = inRoom(ann);
    room.relay.deliver(ann, (await forgeNext(room.link, next)).entry);
    expectRefused(room.relay.deliver(ann, (await forgeNext(room.link, base)).entry), EpochError, Reason.outOfOrder);
  });

  it('refuses a commit that skips an epoch (gap)', async () => {
    const { room, ann, base } = await setup();
    expectRefused(room.relay.deliver(ann, (await forgeNext(room.link, base, { epoch: base.epoch + 2 })).entry), EpochError, Reason.gap);
  });

  it('refuses a commit whose previous hash is not the one held (fork)', async () => {
    const { room, ann, base } = await setup();
    expectRefused(room.relay.deliver(ann, (await forgeNext(room.link, base, { prevHash: sodium().randombytes_buf(32) })).entry), EpochError, Reason.fork);
  });

  it('refuses anything after an end commit (room-ended) for a party that stays in the lobby', async () => {
    const { room, base, link } = await setup();
    const ended = await forgeNext(link, base, { action: 'end', ended: true });
    const watcher = room.guests[0] as Party;
    expect(room.relay.deliver(watcher, ended.entry).error).toBeUndefined();
    expect(watcher.state.kind).toBe('ended');
    expectRefused(room.relay.deliver(watcher, (await forgeNext(link, base, { epoch: base.epoch + 2 })).entry), EpochError, Reason.roomEnded);
  });
});

describe('commit chain: authority', () => {
  it('refuses a commit not signed by its stated signer (bad-signature)', async () => {
    const { room, ann, base, link } = await setup();
    const { signed, epochSecret } = await forgeNext(link, base);
    const forged = signed.bytes.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    const entry = { ...entryFor(signed, epochSecret), wrapped: wrapForRoom(link, forged, signed.body.epoch, epochSecret) };
    expectRefused(room.relay.deliver(ann, entry), VerificationError, Reason.badSignature);
  });

  it('refuses a validly signed commit from someone who is not the host (not-host)', async () => {
    const { room, ann, base, link } = await setup();
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, {}, generateIdentity())).entry), MembershipError, Reason.notHost);
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, {}, ann.self.identity)).entry), MembershipError, Reason.notHost);
  });

  it('refuses a host-signed commit for another room, re-wrapped for this one (wrong-room)', async () => {
    const { room, ann, base, link } = await setup();
    const forged = await forgeNext(link, base);
    const elsewhere = await signCommit(link.hostIdentity, { ...forged.signed.body, roomId: sodium().randombytes_buf(16) });
    const entry = { ...forged.entry, wrapped: wrapForRoom(link, elsewhere.bytes, elsewhere.body.epoch, forged.epochSecret) };
    expectRefused(room.relay.deliver(ann, entry), VerificationError, Reason.wrongRoom);
  });
});

describe('commit chain: member list', () => {
  it('refuses a repeated index or identity key (duplicate-member) and an unsorted list (malformed)', async () => {
    const { room, ann, base, link } = await setup();
    const [m0, m1, m2] = base.members as [CommitMember, CommitMember, CommitMember];
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, { members: [m0, m1, { ...m2, index: 1 }] })).entry), MembershipError, Reason.duplicateMember);
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, { members: [m0, m1, { ...m2, identityPublicKey: m1.identityPublicKey }] })).entry), MembershipError, Reason.duplicateMember);
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, { members: [m0, m2, m1] })).entry), CodecError, Reason.malformed);
  });

  it('refuses more than 50 members (room-full) and a host index that names no member (not-member)', async () => {
    const { room, ann, base, link } = await setup();
    const crowd = [...base.members, ...(await Promise.all(Array.from({ length: 48 }, (_, i) => newcomer(base.roomId, i + 3))))];
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, { action: 'admit', members: crowd })).entry), MembershipError, Reason.roomFull);
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, { hostIndex: 7 })).entry), MembershipError, Reason.notMember);
  });

  it("refuses a commit that changes this member's own keys (self-altered)", async () => {
    const { room, ann, base, link } = await setup();
    const members = base.members.map((m) => (m.index === 1 ? { ...m, roomPublicKey: generateRoomKey().publicKey } : m));
    const altered = await forgeNext(link, base, { members });
    // The forger seals Ann's envelope to the key she really holds, so only the chain check stands in the way.
    const toAnn = sealEnvelope(altered.signed.body.epoch, altered.epochSecret, ann.self.roomKey.publicKey);
    expectRefused(room.relay.deliver(ann, altered.entry, (m) => ({ ...m, envelope: toAnn })), MembershipError, Reason.selfAltered);
    const moved = base.members.map((m) => (m.index === 1 ? { ...m, index: 9 } : m)).sort((a, b) => a.index - b.index);
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, { action: 'admit', members: moved })).entry), MembershipError, Reason.selfAltered);
  });

  it('refuses a commit that drops this member under another action than remove or leave (self-dropped)', async () => {
    const { room, ann, base, link } = await setup();
    const members = base.members.filter((m) => m.index !== 1);
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, { members })).entry), MembershipError, Reason.selfDropped);
  });

  it('refuses a member added without an admit, or an existing entry replaced (ghost-member)', async () => {
    const { room, ann, base, link } = await setup();
    const added = [...base.members, await newcomer(base.roomId, 3)];
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, { members: added })).entry), MembershipError, Reason.ghostMember);
    const replaced = await Promise.all(base.members.map(async (m) => (m.index === 2 ? await newcomer(base.roomId, 2) : m)));
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, { action: 'admit', members: replaced })).entry), MembershipError, Reason.ghostMember);
  });

  it('refuses an admitted member whose room key its identity did not sign (bad-signature)', async () => {
    const { room, ann, base, link } = await setup();
    const unsigned = await newcomer(base.roomId, 3, { roomKeySignature: sodium().randombytes_buf(64) });
    expectRefused(room.relay.deliver(ann, (await forgeNext(link, base, { action: 'admit', members: [...base.members, unsigned] })).entry), VerificationError, Reason.badSignature);
  });
});

describe('commit chain: the action matches the change', () => {
  const cases: [string, (s: Awaited<ReturnType<typeof setup>>) => Parameters<typeof forgeNext>[2]][] = [
    ['an admit that admits no one', () => ({ action: 'admit' })],
    ['a remove that removes no one', () => ({ action: 'remove' })],
    ['a leave that drops two members', ({ base }) => ({ action: 'leave', members: base.members.filter((m) => m.index === 0) })],
    ['a rekey that drops a member', ({ base }) => ({ members: base.members.filter((m) => m.index !== 2) })],
    ['a host change without transfer', () => ({ hostIndex: 2 })],
    ['a transfer that keeps the host', () => ({ action: 'transfer' })],
    ['a lock that leaves the room unlocked', () => ({ action: 'lock', locked: false })],
    ['a rekey that flips the lock', () => ({ locked: true })],
    ['an ended flag without end', () => ({ ended: true })],
    ['an end without the ended flag', () => ({ action: 'end', secretCommitment: ZERO_HASH })],
    ['a create after epoch 0', () => ({ action: 'create' })],
    ['a rekey without a secret', () => ({ secretCommitment: ZERO_HASH })],
  ];
  for (const [what, overrides] of cases) {
    it(`refuses ${what} (action-mismatch)`, async () => {
      const s = await setup();
      expectRefused(s.room.relay.deliver(s.ann, (await forgeNext(s.link, s.base, overrides(s))).entry), MembershipError, Reason.actionMismatch);
    });
  }
});

describe('commit chain: genesis, for a guest reading the log', () => {
  it('refuses a log whose epoch 0 is signed by another identity than the link names (host-mismatch)', async () => {
    const { room, link } = await setup();
    const impostor = generateIdentity();
    const roomKey = generateRoomKey();
    const genesisBody = {
      roomId: link.room.roomId,
      epoch: 0,
      prevHash: ZERO_HASH,
      action: 'create' as const,
      locked: false,
      ended: false,
      hostIndex: 0,
      secretCommitment: sodium().randombytes_buf(32),
      members: [await newcomer(link.room.roomId, 0, { identityPublicKey: impostor.publicKey, roomPublicKey: roomKey.publicKey, roomKeySignature: await signRoomKey(impostor, link.room.roomId, roomKey.publicKey) })],
    };
    const secret = sodium().randombytes_buf(32);
    const entry = entryFor(await signCommit(impostor, { ...genesisBody, secretCommitment: commitToSecret(secret, link.room.roomId, 0) }), secret);
    const guest = newGuest(link, 'Guest');
    // Even sealed to the guest's own key (the impostor learnt it), the chain refuses it.
    const toGuest = sealEnvelope(0, secret, guest.self.roomKey.publicKey);
    expectRefused(room.relay.deliver(guest, entry, (m) => ({ ...m, envelope: toGuest })), VerificationError, Reason.hostMismatch);
    expect(guest.state.kind).toBe('lobby');
  });

  it('starts past epoch 0 only against a lobby record (gap without one), and never reads a commit without a key', async () => {
    const { room, link } = await setup();
    const guest = newGuest(link, 'Guest');
    expectRefused(room.relay.deliver(guest, room.relay.latest()), VerificationError, Reason.missingEnvelope);
    const ann = room.guests[0] as Party;
    const reloaded: Party = { ...ann, state: lobby(link.room, ann.self) };
    expectRefused(room.relay.deliver(reloaded, room.relay.latest()), EpochError, Reason.gap);
    expect(room.relay.sync(reloaded).error).toBeUndefined();
    expect(reloaded.state.kind).toBe('member');
  });
});

describe('commit chain: snapshots', () => {
  it('accepts a snapshot only from the host in office by the lobby record: a former host is refused (host-mismatch)', async () => {
    const room = await buildRoom(2);
    const [ann, bob] = room.guests as [Party, Party];
    room.relay.publish(await host.transfer(room.host.state, inRoom(ann).ownIndex), room.host);
    room.relay.broadcast([ann, bob]);
    const rogue = await forgeNext(room.link, inRoom(bob), {}, room.host.self.identity);
    const fresh: Party = { ...bob, state: lobby(room.link.room, bob.self) };
    const read = transition(fresh.state, { type: 'lobby', wrapped: room.relay.lobby! });
    expect(read.error).toBeUndefined();
    fresh.state = read.state;
    expectRefused(room.relay.deliver(fresh, rogue.entry), VerificationError, Reason.hostMismatch);
    // The same page takes the new host's next commit as its snapshot.
    room.relay.publish(await host.rekey(ann.state), ann);
    expect(room.relay.deliver(fresh).error).toBeUndefined();
    expect(inRoom(fresh).commitHash).toEqual(inRoom(ann).commitHash);
  });
});

describe('commit chain: the epoch secret', () => {
  it("refuses a commit without this member's own envelope (missing-envelope)", async () => {
    const { ann, base, link } = await setup();
    const { entry } = await forgeNext(link, base);
    expectRefused(transition(ann.state, { type: 'commit', wrapped: entry.wrapped }), VerificationError, Reason.missingEnvelope);
  });

  it('refuses an envelope the relay made itself: its secret does not open the commit (auth-failed)', async () => {
    const { room, ann, base, link } = await setup();
    const { entry } = await forgeNext(link, base);
    const fake = sealEnvelope(entry.epoch, generateEpochSecret(), ann.self.roomKey.publicKey);
    expectRefused(transition(ann.state, { type: 'commit', wrapped: entry.wrapped, envelope: fake }), VerificationError, Reason.authFailed);
    expect(room.relay.deliver(ann, entry).error).toBeUndefined();
  });
});
