// Join requests: a guest in the lobby asks the host to be admitted.
//
// The request is sealed to the host's X25519 room key (so the server cannot read the name in it)
// and carries a MAC under a key derived from the link secret and room id (so the server, which
// never sees the link secret, can neither forge one nor swap the keys inside one).
//
// Plaintext, before crypto_box_seal(plaintext, hostRoomPub):
//
//   +--------+-------------+--------------------+------------------+----------------+-------------+
//   | u8 = 1 | roomId (16) | participantId (16) | joinerIdentity   | joinerRoomPub  | roomKeySig  |
//   |        |             | the server's id of | Ed25519 pub (32) | X25519 (32)    | Ed25519 (64)|
//   |        |             | the knocking socket|                  |                |             |
//   +--------+-------------+--------------------+------------------+----------------+-------------+
//   | hostRoomPub X25519 (32) | u16 n | displayName: n = 1..64 bytes of UTF-8 | mac (32)          |
//   +-------------------------+-------------------------------------------------+-------------------+
//
//   roomKeySig = identity.ts signRoomKey(joiner identity, roomId, joinerRoomPub)
//   mac        = BLAKE2b-256(key = joinMacKey, u16 len || "sealroom/v1/join/mac" || all bytes before mac)
//   joinMacKey = link.ts deriveLinkKeys(linkSecret, roomId).joinMacKey
//
// The host opens it and checks, in this order: the box opens (auth-failed), the version, the
// room id (wrong-room), that it was sealed for the host's own room key (wrong-key), the MAC
// (bad-link-secret), that it names the participant id it arrived from (wrong-participant: a
// genuine request the server replays from another connection), and the joiner's room-key
// signature (bad-signature).
import { Reader, Writer, equalBytes } from './bytes';
import { PARTICIPANT_ID_BYTES } from './commit';
import { Reason, VerificationError } from './errors';
import { type RoomKeyPair, PUBLIC_KEY_BYTES, ROOM_ID_BYTES, SIGNATURE_BYTES, assertLength, signRoomKey, verifyRoomKey } from './identity';
import { kdf } from './kdf';
import { Label } from './labels';
import { MAX_NAME_BYTES } from './limits';
import { type Signer } from './signer';
import { decodeDisplayName, encodeDisplayName } from './name';
import { sodium } from './sodium';
import { checkVersion } from './version';

const JOIN_VERSION = 1;
const MAC_BYTES = 32;

/** What the host learns from an opened, verified join request. */
export interface JoinRequest {
  readonly identityPublicKey: Uint8Array;
  readonly roomPublicKey: Uint8Array;
  readonly roomKeySignature: Uint8Array;
  readonly displayName: string;
}

/** Every field of the plaintext except the version byte and the MAC. */
export interface JoinRequestFields extends JoinRequest {
  readonly roomId: Uint8Array;
  /** The server's id of the connection that knocks (16 bytes; commit.ts participantIdBytes). */
  readonly participantId: Uint8Array;
  readonly hostRoomPublicKey: Uint8Array;
}

/** A parsed plaintext; the MAC is not checked yet. */
export interface DecodedJoinRequest {
  readonly fields: JoinRequestFields;
  readonly mac: Uint8Array;
  /** The bytes the MAC covers. */
  readonly macInput: Uint8Array;
}

export interface JoinRequestInput {
  readonly identity: Signer;
  readonly roomKey: RoomKeyPair;
  readonly roomId: Uint8Array;
  /** This guest's participant id, as the server's welcome gave it (16 bytes). */
  readonly participantId: Uint8Array;
  readonly hostRoomPublicKey: Uint8Array;
  readonly displayName: string;
  readonly joinMacKey: Uint8Array;
}

function joinMac(joinMacKey: Uint8Array, macInput: Uint8Array): Uint8Array {
  assertLength(joinMacKey, 32, 'join MAC key');
  return kdf(joinMacKey, Label.joinMac, macInput, MAC_BYTES);
}

/** The plaintext of a join request, MAC included. */
export function encodeJoinRequest(fields: JoinRequestFields, joinMacKey: Uint8Array): Uint8Array {
  assertLength(fields.roomId, ROOM_ID_BYTES, 'room id');
  assertLength(fields.participantId, PARTICIPANT_ID_BYTES, 'participant id');
  assertLength(fields.identityPublicKey, PUBLIC_KEY_BYTES, 'joiner identity key');
  assertLength(fields.roomPublicKey, PUBLIC_KEY_BYTES, 'joiner room key');
  assertLength(fields.roomKeySignature, SIGNATURE_BYTES, 'room-key signature');
  assertLength(fields.hostRoomPublicKey, PUBLIC_KEY_BYTES, 'host room key');
  const macInput = new Writer()
    .u8(JOIN_VERSION)
    .bytes(fields.roomId)
    .bytes(fields.participantId)
    .bytes(fields.identityPublicKey)
    .bytes(fields.roomPublicKey)
    .bytes(fields.roomKeySignature)
    .bytes(fields.hostRoomPublicKey)
    .vec16(encodeDisplayName(fields.displayName))
    .finish();
  return new Writer().bytes(macInput).bytes(joinMac(joinMacKey, macInput)).finish();
}

/** Parse a plaintext. Throws VersionError or CodecError; checks nothing cryptographic. */
export function decodeJoinRequest(plaintext: Uint8Array): DecodedJoinRequest {
  const r = new Reader(plaintext, 'join request');
  checkVersion(r.u8(), JOIN_VERSION, 'join request');
  const roomId = r.bytes(ROOM_ID_BYTES);
  const participantId = r.bytes(PARTICIPANT_ID_BYTES);
  const identityPublicKey = r.bytes(PUBLIC_KEY_BYTES);
  const roomPublicKey = r.bytes(PUBLIC_KEY_BYTES);
  const roomKeySignature = r.bytes(SIGNATURE_BYTES);
  const hostRoomPublicKey = r.bytes(PUBLIC_KEY_BYTES);
  const displayName = decodeDisplayName(r.vec16(MAX_NAME_BYTES));
  const macInput = plaintext.subarray(0, plaintext.length - r.remaining);
  const mac = r.bytes(MAC_BYTES);
  r.end();
  return { fields: { roomId, participantId, identityPublicKey, roomPublicKey, roomKeySignature, hostRoomPublicKey, displayName }, mac, macInput };
}

/** A guest's sealed join request, addressed to the host's room key. */
export async function createJoinRequest(input: JoinRequestInput): Promise<Uint8Array> {
  const fields: JoinRequestFields = {
    roomId: input.roomId,
    participantId: input.participantId,
    identityPublicKey: input.identity.publicKey,
    roomPublicKey: input.roomKey.publicKey,
    roomKeySignature: await signRoomKey(input.identity, input.roomId, input.roomKey.publicKey),
    hostRoomPublicKey: input.hostRoomPublicKey,
    displayName: input.displayName,
  };
  return sodium().crypto_box_seal(encodeJoinRequest(fields, input.joinMacKey), input.hostRoomPublicKey);
}

/**
 * Open and verify a sealed join request that arrived from the connection `fromParticipantId`
 * (checks in the order listed in the header). Throws typed errors.
 */
export function openJoinRequest(hostRoomKey: RoomKeyPair, joinMacKey: Uint8Array, roomId: Uint8Array, sealed: Uint8Array, fromParticipantId: Uint8Array): JoinRequest {
  const { fields, mac, macInput } = decodeJoinRequest(openSealed(hostRoomKey, sealed));
  if (!equalBytes(fields.roomId, roomId)) throw new VerificationError(Reason.wrongRoom, 'join request is for another room');
  if (!equalBytes(fields.hostRoomPublicKey, hostRoomKey.publicKey)) {
    throw new VerificationError(Reason.wrongKey, 'join request names another host room key than the one it reached');
  }
  if (!equalBytes(mac, joinMac(joinMacKey, macInput))) {
    throw new VerificationError(Reason.badLinkSecret, 'join request MAC does not verify: the sender does not hold this link');
  }
  if (!equalBytes(fields.participantId, fromParticipantId)) {
    throw new VerificationError(Reason.wrongParticipant, 'join request was made by another connection than the one it came from');
  }
  verifyRoomKey(fields.identityPublicKey, fields.roomId, fields.roomPublicKey, fields.roomKeySignature);
  const { identityPublicKey, roomPublicKey, roomKeySignature, displayName } = fields;
  return { identityPublicKey, roomPublicKey, roomKeySignature, displayName };
}

function openSealed(roomKey: RoomKeyPair, sealed: Uint8Array): Uint8Array {
  try {
    return sodium().crypto_box_seal_open(sealed, roomKey.publicKey, roomKey.secretKey);
  } catch {
    throw new VerificationError(Reason.authFailed, 'join request does not open with the host room key');
  }
}
