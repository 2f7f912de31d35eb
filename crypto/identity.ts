// Long-term Ed25519 identity keys, per-room X25519 keys vouched for by them, and fingerprints.
//
// Serialized identity (kept in the browser's IndexedDB, never sent):
//
//   +---------+---------------------------+
//   | u8 = 1  | 32-byte Ed25519 seed      |
//   +---------+---------------------------+
//
// In a browser that can, the identity is not kept in this form but as a non-extractable WebCrypto
// key (signer.ts); this form is the fallback, and what an older profile holds until it migrates.
//
// Room-key signature: Ed25519( identity, u16 len || "sealroom/v1/sig/room-key" || roomId(16) || roomPub(32) )
import { CodecError, Reason, VerificationError, VersionError } from './errors';
import { Reader, Writer, utf8 } from './bytes';
import { Label } from './labels';
import { labelledHash } from './kdf';
import { type Signer, type SodiumSigner, generateSodiumSigner, sodiumSignerFromSeed } from './signer';
import { sodium } from './sodium';

const IDENTITY_FORMAT_VERSION = 1;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const FINGERPRINT_BYTES = 32;
export const ROOM_ID_BYTES = 16;

/** An identity held as libsodium bytes (the storage fallback, and tests); it signs as a Signer. */
export type IdentityKeyPair = SodiumSigner;

export interface RoomKeyPair {
  /** X25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export function generateIdentity(): IdentityKeyPair {
  return generateSodiumSigner();
}

export function encodeIdentity(identity: Pick<IdentityKeyPair, 'secretKey'>): Uint8Array {
  return new Writer().u8(IDENTITY_FORMAT_VERSION).bytes(identity.secretKey.subarray(0, 32)).finish();
}

export function decodeIdentity(bytes: Uint8Array): IdentityKeyPair {
  const r = new Reader(bytes, 'identity');
  const version = r.u8();
  if (version !== IDENTITY_FORMAT_VERSION) throw new VersionError(Reason.unknownVersion, `identity format version ${version} is not supported`);
  const seed = r.bytes(32);
  r.end();
  return sodiumSignerFromSeed(seed);
}

/** The 32-byte Ed25519 seed a stored identity holds (to import it into WebCrypto). */
export function identitySeed(bytes: Uint8Array): Uint8Array {
  return decodeIdentity(bytes).secretKey.slice(0, 32);
}

/** 32-byte fingerprint of an identity public key. */
export function fingerprint(identityPublicKey: Uint8Array): Uint8Array {
  assertLength(identityPublicKey, PUBLIC_KEY_BYTES, 'identity key');
  return labelledHash(Label.fingerprint, identityPublicKey, FINGERPRINT_BYTES);
}

/** A fresh X25519 key for one room. */
export function generateRoomKey(): RoomKeyPair {
  const kp = sodium().crypto_box_keypair();
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/** Versioned storage form of a room key: u8 version || X25519 secret key (32). */
export function encodeRoomKey(roomKey: RoomKeyPair): Uint8Array {
  assertLength(roomKey.secretKey, 32, 'room secret key');
  return new Writer().u8(IDENTITY_FORMAT_VERSION).bytes(roomKey.secretKey).finish();
}

export function decodeRoomKey(bytes: Uint8Array): RoomKeyPair {
  const r = new Reader(bytes, 'room key');
  const version = r.u8();
  if (version !== IDENTITY_FORMAT_VERSION) throw new VersionError(Reason.unknownVersion, `room key format version ${version} is not supported`);
  const secretKey = r.bytes(32);
  r.end();
  return { publicKey: sodium().crypto_scalarmult_base(secretKey), secretKey };
}

function roomKeyMessage(roomId: Uint8Array, roomPublicKey: Uint8Array): Uint8Array {
  assertLength(roomId, ROOM_ID_BYTES, 'room id');
  assertLength(roomPublicKey, PUBLIC_KEY_BYTES, 'room key');
  return new Writer().vec16(utf8(Label.sigRoomKey)).bytes(roomId).bytes(roomPublicKey).finish();
}

export function signRoomKey(identity: Signer, roomId: Uint8Array, roomPublicKey: Uint8Array): Promise<Uint8Array> {
  return identity.sign(roomKeyMessage(roomId, roomPublicKey));
}

/** Throws VerificationError unless `signature` is the identity's vouching for this room key in this room. */
export function verifyRoomKey(identityPublicKey: Uint8Array, roomId: Uint8Array, roomPublicKey: Uint8Array, signature: Uint8Array): void {
  assertLength(identityPublicKey, PUBLIC_KEY_BYTES, 'identity key');
  assertLength(signature, SIGNATURE_BYTES, 'room-key signature');
  if (!sodium().crypto_sign_verify_detached(signature, roomKeyMessage(roomId, roomPublicKey), identityPublicKey)) {
    throw new VerificationError(Reason.badSignature, 'room key is not signed by the stated identity key');
  }
}

export function assertLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) throw new CodecError(Reason.malformed, `${what} must be ${length} bytes, got ${bytes.length}`);
}
