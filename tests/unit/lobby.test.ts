// The lobby record (crypto/lobby.ts): what a link holder learns (whom to knock to), and every way
// a server, or a member who holds the link, could try to make a guest seal its knock to someone
// else or accept a commit from someone who is not the host.
import { describe, expect, it } from 'vitest';
import {
  type HandOver,
  type LobbyRecord,
  EpochError,
  MembershipError,
  Reason,
  VerificationError,
  generateIdentity,
  generateRoomKey,
  hostsAt,
  handOverRecord,
  openLobbyRecord,
  sealLobbyRecord,
  signHandOver,
  signRoomKey,
  sodium,
  MAX_HANDOVERS,
} from '../../crypto/index';
import { expectError, expectRejected } from '../scenario/errors';
import { newLink } from '../scenario/fixtures';

async function setup() {
  const link = newLink();
  const hostRoomKey = generateRoomKey();
  const room = link.room;
  const record: LobbyRecord = {
    hostIdentityPublicKey: link.hostIdentity.publicKey,
    hostRoomPublicKey: hostRoomKey.publicKey,
    roomKeySignature: await signRoomKey(link.hostIdentity, room.roomId, hostRoomKey.publicKey),
    handovers: [],
  };
  return { link, room, record };
}

async function memberEntry(roomId: Uint8Array) {
  const identity = generateIdentity();
  const roomKey = generateRoomKey();
  return { identity, entry: { identityPublicKey: identity.publicKey, roomPublicKey: roomKey.publicKey, roomKeySignature: await signRoomKey(identity, roomId, roomKey.publicKey) } };
}

describe('lobby record', () => {
  it('opens for a link holder and names the host the link names', async () => {
    const { room, record } = await setup();
    const opened = openLobbyRecord(room, sealLobbyRecord(room, record));
    expect(opened.hostRoomPublicKey).toEqual(record.hostRoomPublicKey);
    expect(opened.handovers).toEqual([]);
  });

  it('follows hand-overs: each signed by the host of its time, at rising epochs', async () => {
    const { link, room, record } = await setup();
    const ann = await memberEntry(room.roomId);
    const ben = await memberEntry(room.roomId);
    const once = await handOverRecord(link.hostIdentity, room.roomId, 5, record, ann.entry);
    const twice = await handOverRecord(ann.identity, room.roomId, 9, once, ben.entry);
    const opened = openLobbyRecord(room, sealLobbyRecord(room, twice), once);
    expect(opened.hostIdentityPublicKey).toEqual(ben.identity.publicKey);
    expect(hostsAt(opened.handovers, 5)).toEqual({ before: undefined, after: ann.identity.publicKey, handover: true });
    expect(hostsAt(opened.handovers, 7)).toEqual({ before: ann.identity.publicKey, after: ann.identity.publicKey, handover: false });
    expect(hostsAt(opened.handovers, 12).before).toEqual(ben.identity.publicKey);
  });

  it('refuses a record that names another host than the link (host-mismatch), or a key the host did not sign', async () => {
    const { room, record } = await setup();
    const impostor = await memberEntry(room.roomId);
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, { ...record, ...impostor.entry, hostIdentityPublicKey: impostor.identity.publicKey })), VerificationError, Reason.hostMismatch);
    // The server's own room key under the real host's name: the room-key signature does not verify.
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, { ...record, hostRoomPublicKey: generateRoomKey().publicKey })), VerificationError, Reason.badSignature);
  });

  it('refuses a hand-over not made by the host of its time (not-host), badly signed, or out of order', async () => {
    const { link, room, record } = await setup();
    const ann = await memberEntry(room.roomId);
    const mallory = await memberEntry(room.roomId);
    // A member who holds the link hands the room to itself.
    const selfMade = await handOverRecord(ann.identity, room.roomId, 5, record, ann.entry);
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, selfMade)), MembershipError, Reason.notHost);
    const genuine = await handOverRecord(link.hostIdentity, room.roomId, 5, record, ann.entry);
    const h = genuine.handovers[0] as HandOver;
    const retargeted = { ...genuine, ...mallory.entry, hostIdentityPublicKey: mallory.identity.publicKey, handovers: [{ ...h, to: mallory.identity.publicKey }] };
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, retargeted)), VerificationError, Reason.badSignature);
    const later = await handOverRecord(ann.identity, room.roomId, 5, genuine, mallory.entry);
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, later)), EpochError, Reason.outOfOrder);
  });

  it('refuses a record that drops a hand-over already held (a server serving an older record)', async () => {
    const { link, room, record } = await setup();
    const ann = await memberEntry(room.roomId);
    const handed = await handOverRecord(link.hostIdentity, room.roomId, 5, record, ann.entry);
    const held = openLobbyRecord(room, sealLobbyRecord(room, handed));
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, record), held), EpochError, Reason.outOfOrder);
  });

  it('does not open without the link, nor for another room', async () => {
    const { room, record } = await setup();
    const sealed = sealLobbyRecord(room, record);
    expectError(() => openLobbyRecord({ ...room, lobbyKey: sodium().randombytes_buf(32) }, sealed), VerificationError, Reason.authFailed);
    expectError(() => openLobbyRecord({ ...room, roomId: sodium().randombytes_buf(16) }, sealed), VerificationError, Reason.authFailed);
  });

  it(`holds at most ${MAX_HANDOVERS} hand-overs; the host is told when the room can be handed over no more`, async () => {
    const { link, room, record } = await setup();
    let current = record;
    let from = link.hostIdentity;
    for (let i = 0; i < MAX_HANDOVERS; i++) {
      const next = await memberEntry(room.roomId);
      current = await handOverRecord(from, room.roomId, i + 1, current, next.entry);
      from = next.identity;
    }
    expect(openLobbyRecord(room, sealLobbyRecord(room, current)).handovers).toHaveLength(MAX_HANDOVERS);
    await expectRejected(async () => handOverRecord(from, room.roomId, MAX_HANDOVERS + 1, current, (await memberEntry(room.roomId)).entry), MembershipError, Reason.roomFull);
    expect((await signHandOver(from, room.roomId, 1, record.hostIdentityPublicKey)).signature).toHaveLength(64);
  });
});
