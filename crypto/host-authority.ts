// The server-side host authority's statements (docs/decisions/0017-host-authority-and-server-limits.md):
// the messages a room's per-room host key signs so the signaling server lets a connection act as
// the host. The server verifies them (node:crypto in server/host-authority.ts); clients build and
// sign them. A per-room host key is a fresh Ed25519 key of its own, not the identity key, so the
// server cannot link one person's rooms. These statements are not part of the signed commit
// chain: members still follow only commits signed by the host identity the link names.
//
//   host proof    u8 version = 1 || vec16("sealroom/v1/sig/server-host-proof") || roomId (16) || nonce (32)
//                 signed by the room's current host key: this connection holds it.
//   hand-over     u8 version = 1 || vec16("sealroom/v1/sig/server-host-handover") || roomId (16)
//                 || u64 epoch || incoming participant id (16) || incoming host key (32)
//                 signed by the outgoing host key: the host role passes at this epoch's commit.
import { Writer, utf8 } from './bytes';
import { Reason, VerificationError } from './errors';
import { assertLength, PUBLIC_KEY_BYTES, ROOM_ID_BYTES, SIGNATURE_BYTES } from './identity';
import { Label } from './labels';
import { type SodiumSigner, generateSodiumSigner } from './signer';
import { sodium } from './sodium';

const HOST_AUTHORITY_VERSION = 1;
/** Bytes of a host-proof challenge nonce. */
export const HOST_NONCE_BYTES = 32;
const PARTICIPANT_ID_BYTES = 16;

export function hostProofMessage(roomId: Uint8Array, nonce: Uint8Array): Uint8Array {
  assertLength(roomId, ROOM_ID_BYTES, 'room id');
  assertLength(nonce, HOST_NONCE_BYTES, 'host challenge nonce');
  return new Writer().u8(HOST_AUTHORITY_VERSION).vec16(utf8(Label.sigHostProof)).bytes(roomId).bytes(nonce).finish();
}

export function handOverMessage(roomId: Uint8Array, epoch: number, toParticipantId: Uint8Array, toHostKey: Uint8Array): Uint8Array {
  assertLength(roomId, ROOM_ID_BYTES, 'room id');
  assertLength(toParticipantId, PARTICIPANT_ID_BYTES, 'participant id');
  assertLength(toHostKey, PUBLIC_KEY_BYTES, 'host key');
  return new Writer().u8(HOST_AUTHORITY_VERSION).vec16(utf8(Label.sigServerHandOver)).bytes(roomId).u64(epoch).bytes(toParticipantId).bytes(toHostKey).finish();
}

/** A per-room host key pair in libsodium form, for browsers without WebCrypto Ed25519 (and tests). */
export type HostKeyPair = SodiumSigner;

export function generateHostKey(): HostKeyPair {
  return generateSodiumSigner();
}

/** Synchronous libsodium signing of a statement, for the server tests' clients. */
export function signHostStatement(key: Pick<HostKeyPair, 'secretKey'>, message: Uint8Array): Uint8Array {
  return sodium().crypto_sign_detached(message, key.secretKey);
}

/** Throws VerificationError unless `signature` is `hostKey`'s over `message`. */
export function verifyHostStatement(hostKey: Uint8Array, message: Uint8Array, signature: Uint8Array): void {
  assertLength(hostKey, PUBLIC_KEY_BYTES, 'host key');
  assertLength(signature, SIGNATURE_BYTES, 'host statement signature');
  if (!sodium().crypto_sign_verify_detached(signature, message, hostKey)) throw new VerificationError(Reason.badSignature, 'host statement is not signed by the stated host key');
}
