// Epoch secrets: one fresh random secret per commit, delivered to each member in a sealed
// envelope, committed to in the signed commit, and the root of every key of that epoch.
//
// Envelope plaintext, then crypto_box_seal(plaintext, memberRoomPub):
//
//   +--------+-----------+-------------------+
//   | u8 = 1 | u64 epoch | epochSecret (32)  |      41 bytes; sealed: 89 bytes
//   +--------+-----------+-------------------+
//
// Derivations (kdf = keyed BLAKE2b, kdf.ts; every one has its own label):
//   secretCommitment  = kdf(epochSecret, "epoch/secret-commitment", roomId || u64 epoch)
//   sframeBaseKey(i)  = kdf(epochSecret, "epoch/sframe-base-key",   roomId || u64 epoch || u16 i)
//   appMessageKey     = kdf(epochSecret, "epoch/app-message-key",   roomId || u64 epoch)
//   commitKey         = kdf(epochSecret, "epoch/commit-key",        roomId || u64 epoch)
//   handoffKey(e)     = kdf(secret of e - 1, "epoch/handoff-key",   roomId || u64 e)   (commit.ts)
//   (confirm.ts derives the confirm key the same way)
//
// SFrame KID (RFC 9605 §4.3) = (epoch << 6) | senderIndex, sender indexes 0..63.
//
// SFrame CTR = (pageLife << 32) | n. A member's browser numbers the lives of its pages in one room
// (client storage hands out each number once, in the same record as the room key that opens the
// envelopes), and each page life counts n from 0 under every KID. So two page lives of one member,
// a reload or a second tab, never share a (KID, CTR), whatever the log or the server says; a page
// that cannot claim a life does not send. Receivers keep a replay window per (KID, life).
//
// A member accepts an envelope only if the secret inside matches the commitment in the signed
// commit, so an envelope made by the server (which can seal to any public key) is refused.
import { Reader, Writer, equalBytes } from './bytes';
import { ParameterError, Reason, VerificationError } from './errors';
import { type RoomKeyPair, ROOM_ID_BYTES, assertLength } from './identity';
import { kdf } from './kdf';
import { KID_SENDER_BITS, MAX_MEMBER_INDEX, MAX_PAGE_LIFE, PAGE_LIFE_CTR_BITS, U64_MAX } from './limits';
import { Label } from './labels';
import { sodium } from './sodium';
import { checkVersion } from './version';

const ENVELOPE_VERSION = 1;
const EPOCH_SECRET_BYTES = 32;
const BASE_KEY_BYTES = 32;
const SENDER_BITS = BigInt(KID_SENDER_BITS);

export function generateEpochSecret(): Uint8Array {
  return sodium().randombytes_buf(EPOCH_SECRET_BYTES);
}

function epochContext(roomId: Uint8Array, epoch: number): Writer {
  assertLength(roomId, ROOM_ID_BYTES, 'room id');
  return new Writer().bytes(roomId).u64(epoch);
}

function checkSecret(epochSecret: Uint8Array): void {
  assertLength(epochSecret, EPOCH_SECRET_BYTES, 'epoch secret');
}

/** The public commitment to an epoch secret that the signed commit carries. */
export function commitToSecret(epochSecret: Uint8Array, roomId: Uint8Array, epoch: number): Uint8Array {
  checkSecret(epochSecret);
  return kdf(epochSecret, Label.epochSecretCommitment, epochContext(roomId, epoch).finish());
}

export function encodeEnvelope(epoch: number, epochSecret: Uint8Array): Uint8Array {
  checkSecret(epochSecret);
  return new Writer().u8(ENVELOPE_VERSION).u64(epoch).bytes(epochSecret).finish();
}

export function decodeEnvelope(plaintext: Uint8Array): { epoch: bigint; epochSecret: Uint8Array } {
  const r = new Reader(plaintext, 'epoch envelope');
  checkVersion(r.u8(), ENVELOPE_VERSION, 'epoch envelope');
  const epoch = r.u64();
  const epochSecret = r.bytes(EPOCH_SECRET_BYTES);
  r.end();
  return { epoch, epochSecret };
}

/** Seal an epoch secret to one member's X25519 room key. */
export function sealEnvelope(epoch: number, epochSecret: Uint8Array, memberRoomPublicKey: Uint8Array): Uint8Array {
  return sodium().crypto_box_seal(encodeEnvelope(epoch, epochSecret), memberRoomPublicKey);
}

/**
 * Open an envelope sealed to this member for `epoch`. Throws VerificationError auth-failed (not
 * sealed to this key, or altered), VersionError, CodecError, or VerificationError secret-mismatch
 * (another epoch). The secret still has to match the signed commitment: checkSecret below, once
 * the commit it unlocks has been read.
 */
export function openEnvelope(roomKey: RoomKeyPair, epoch: number, sealed: Uint8Array): Uint8Array {
  let plaintext: Uint8Array;
  try {
    plaintext = sodium().crypto_box_seal_open(sealed, roomKey.publicKey, roomKey.secretKey);
  } catch {
    throw new VerificationError(Reason.authFailed, `envelope for epoch ${epoch} does not open with this member's room key`);
  }
  const opened = decodeEnvelope(plaintext);
  if (opened.epoch !== BigInt(epoch)) {
    throw new VerificationError(Reason.secretMismatch, `envelope is for epoch ${opened.epoch}, not ${epoch}`);
  }
  return opened.epochSecret;
}

/** Throws VerificationError secret-mismatch unless `epochSecret` is the one the signed commit commits to. */
export function checkCommittedSecret(epochSecret: Uint8Array, roomId: Uint8Array, epoch: number, commitment: Uint8Array): void {
  if (!equalBytes(commitToSecret(epochSecret, roomId, epoch), commitment)) {
    throw new VerificationError(Reason.secretMismatch, `envelope secret for epoch ${epoch} does not match the signed commitment`);
  }
}

/** The key that wraps the commit of `epoch`: only holders of that epoch's secret derive it. */
export function commitKey(epochSecret: Uint8Array, roomId: Uint8Array, epoch: number): Uint8Array {
  checkSecret(epochSecret);
  return kdf(epochSecret, Label.epochCommitKey, epochContext(roomId, epoch).finish());
}

/** The key, from the secret of epoch - 1, that wraps the commit key of `epoch` for the members of epoch - 1. */
export function handoffKey(previousSecret: Uint8Array, roomId: Uint8Array, epoch: number): Uint8Array {
  checkSecret(previousSecret);
  return kdf(previousSecret, Label.epochHandoffKey, epochContext(roomId, epoch).finish());
}

/** The SFrame base key of one sender in one epoch. */
export function sframeBaseKey(epochSecret: Uint8Array, roomId: Uint8Array, epoch: number, senderIndex: number): Uint8Array {
  checkSecret(epochSecret);
  checkSenderIndex(senderIndex);
  return kdf(epochSecret, Label.sframeBaseKey, epochContext(roomId, epoch).u16(senderIndex).finish(), BASE_KEY_BYTES);
}

/** Key for chat and other in-call messages of one epoch. */
export function appMessageKey(epochSecret: Uint8Array, roomId: Uint8Array, epoch: number): Uint8Array {
  checkSecret(epochSecret);
  return kdf(epochSecret, Label.appMessageKey, epochContext(roomId, epoch).finish());
}

/** The counters page life `life` may send under any KID: [first, end). */
export function pageLifeCounters(life: number): { first: bigint; end: bigint } {
  if (!Number.isInteger(life) || life < 0 || life > MAX_PAGE_LIFE) throw new ParameterError(Reason.outOfRange, `page life ${life} is out of range`);
  const first = BigInt(life) << BigInt(PAGE_LIFE_CTR_BITS);
  return { first, end: first + (1n << BigInt(PAGE_LIFE_CTR_BITS)) };
}

export function kidFor(epoch: number, senderIndex: number): bigint {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new ParameterError(Reason.outOfRange, `epoch ${epoch} is out of range`);
  checkSenderIndex(senderIndex);
  return (BigInt(epoch) << SENDER_BITS) | BigInt(senderIndex);
}

export function splitKid(kid: bigint): { epoch: number; senderIndex: number } {
  if (kid < 0n || kid > U64_MAX) throw new ParameterError(Reason.outOfRange, 'KID is not a u64');
  const epoch = kid >> SENDER_BITS;
  if (epoch > BigInt(Number.MAX_SAFE_INTEGER)) throw new ParameterError(Reason.outOfRange, 'KID names an epoch beyond 2^53 - 1');
  return { epoch: Number(epoch), senderIndex: Number(kid & BigInt(MAX_MEMBER_INDEX)) };
}

/** What the media worker installs for an epoch: KID -> SFrame base key, one per member index. */
export function epochBaseKeys(epochSecret: Uint8Array, roomId: Uint8Array, epoch: number, memberIndexes: readonly number[]): Map<bigint, Uint8Array> {
  const keys = new Map<bigint, Uint8Array>();
  for (const index of memberIndexes) keys.set(kidFor(epoch, index), sframeBaseKey(epochSecret, roomId, epoch, index));
  return keys;
}

function checkSenderIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > MAX_MEMBER_INDEX) {
    throw new ParameterError(Reason.outOfRange, `sender index ${index} is outside 0..${MAX_MEMBER_INDEX}`);
  }
}
