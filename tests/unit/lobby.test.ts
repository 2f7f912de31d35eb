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
import { expectError } from '../scenario/errors';
import { newLink } from '../scenario/fixtures';

function setup() {
  const link = newLink();
  const hostRoomKey = generateRoomKey();
  const room = link.room;
  const record: LobbyRecord = {
    hostIdentityPublicKey: link.hostIdentity.publicKey,
    hostRoomPublicKey: hostRoomKey.publicKey,
    roomKeySignature: signRoomKey(link.hostIdentity, room.roomId, hostRoomKey.publicKey),
    handovers: [],
  };
  return { link, room, record };
}

function memberEntry(roomId: Uint8Array) {
  const identity = generateIdentity();
  const roomKey = generateRoomKey();
  return { identity, entry: { identityPublicKey: identity.publicKey, roomPublicKey: roomKey.publicKey, roomKeySignature: signRoomKey(identity, roomId, roomKey.publicKey) } };
}

describe('lobby record', () => {
  it('opens for a link holder and names the host the link names', () => {
    const { room, record } = setup();
    const opened = openLobbyRecord(room, sealLobbyRecord(room, record));
    expect(opened.hostRoomPublicKey).toEqual(record.hostRoomPublicKey);
    expect(opened.handovers).toEqual([]);
  });

  it('follows hand-overs: each signed by the host of its time, at rising epochs', () => {
    const { link, room, record } = setup();
    const ann = memberEntry(room.roomId);
    const ben = memberEntry(room.roomId);
    const once = handOverRecord(link.hostIdentity, room.roomId, 5, record, ann.entry);
    const twice = handOverRecord(ann.identity, room.roomId, 9, once, ben.entry);
    const opened = openLobbyRecord(room, sealLobbyRecord(room, twice), once);
    expect(opened.hostIdentityPublicKey).toEqual(ben.identity.publicKey);
    expect(hostsAt(opened.handovers, 5)).toEqual({ before: undefined, after: ann.identity.publicKey, handover: true });
    expect(hostsAt(opened.handovers, 7)).toEqual({ before: ann.identity.publicKey, after: ann.identity.publicKey, handover: false });
    expect(hostsAt(opened.handovers, 12).before).toEqual(ben.identity.publicKey);
  });

  it('refuses a record that names another host than the link (host-mismatch), or a key the host did not sign', () => {
    const { room, record } = setup();
    const impostor = memberEntry(room.roomId);
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, { ...record, ...impostor.entry, hostIdentityPublicKey: impostor.identity.publicKey })), VerificationError, Reason.hostMismatch);
    // The server's own room key under the real host's name: the room-key signature does not verify.
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, { ...record, hostRoomPublicKey: generateRoomKey().publicKey })), VerificationError, Reason.badSignature);
  });

  it('refuses a hand-over not made by the host of its time (not-host), badly signed, or out of order', () => {
    const { link, room, record } = setup();
    const ann = memberEntry(room.roomId);
    const mallory = memberEntry(room.roomId);
    // A member who holds the link hands the room to itself.
    const selfMade = handOverRecord(ann.identity, room.roomId, 5, record, ann.entry);
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, selfMade)), MembershipError, Reason.notHost);
    const genuine = handOverRecord(link.hostIdentity, room.roomId, 5, record, ann.entry);
    const h = genuine.handovers[0] as HandOver;
    const retargeted = { ...genuine, ...mallory.entry, hostIdentityPublicKey: mallory.identity.publicKey, handovers: [{ ...h, to: mallory.identity.publicKey }] };
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, retargeted)), VerificationError, Reason.badSignature);
    const later = handOverRecord(ann.identity, room.roomId, 5, genuine, mallory.entry);
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, later)), EpochError, Reason.outOfOrder);
  });

  it('refuses a record that drops a hand-over already held (a server serving an older record)', () => {
    const { link, room, record } = setup();
    const ann = memberEntry(room.roomId);
    const handed = handOverRecord(link.hostIdentity, room.roomId, 5, record, ann.entry);
    const held = openLobbyRecord(room, sealLobbyRecord(room, handed));
    expectError(() => openLobbyRecord(room, sealLobbyRecord(room, record), held), EpochError, Reason.outOfOrder);
  });

  it('does not open without the link, nor for another room', () => {
    const { room, record } = setup();
    const sealed = sealLobbyRecord(room, record);
    expectError(() => openLobbyRecord({ ...room, lobbyKey: sodium().randombytes_buf(32) }, sealed), VerificationError, Reason.authFailed);
    expectError(() => openLobbyRecord({ ...room, roomId: sodium().randombytes_buf(16) }, sealed), VerificationError, Reason.authFailed);
  });

  it(`holds at most ${MAX_HANDOVERS} hand-overs; the host is told when the room can be handed over no more`, () => {
    const { link, room, record } = setup();
    let current = record;
    let from = link.hostIdentity;
    for (let i = 0; i < MAX_HANDOVERS; i++) {
      const next = memberEntry(room.roomId);
      current = handOverRecord(from, room.roomId, i + 1, current, next.entry);
      from = next.identity;
    }
    expect(openLobbyRecord(room, sealLobbyRecord(room, current)).handovers).toHaveLength(MAX_HANDOVERS);
    expectError(() => handOverRecord(from, room.roomId, MAX_HANDOVERS + 1, current, memberEntry(room.roomId).entry), MembershipError, Reason.roomFull);
    expect(signHandOver(from, room.roomId, 1, record.hostIdentityPublicKey).signature).toHaveLength(64);
  });
});
