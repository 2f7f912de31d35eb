// Signed media batches ([M1], decision 0016): every sender states, every MEDIA_BATCH_INTERVAL_MS,
// which frames it sealed under its KID, signed with a per-page Ed25519 media signing key; and the
// statement that binds that key to the sender. Every member derives every sender's SFrame key, so
// the AEAD tag proves only "a member of the epoch"; the batch signature proves "this sender".
//
// Media key statement: the body of an identity-signed `mediaKey` in-call message
// (app-message.ts), whose signature already covers the room id, the epoch and the sender index,
// which the signed member list binds to an identity key and a participant id:
//
//   +--------+----------+----------+--------------+
//   | u8 = 1 | u8 flags | u64 life | mediaPub 32  |     flags: bit 0 "answer me"; others 0
//   +--------+----------+----------+--------------+
//
// Batch (relayed as is over the in-call channel; its first byte has the high bit set, so it is
// never taken for an app message, whose version byte is 1):
//
//   +-----------+---------+----------+---------+---------------------------------------------+--------------+
//   | u8 = 0x82 | u64 KID | u64 from | u8 runs | runs x ( u64 firstCtr | u16 n | n x digest ) | signature 64 |
//   +-----------+---------+----------+---------+---------------------------------------------+--------------+
//   digest    = BLAKE2b-64(key = BLAKE2b-256(u16 len || "sealroom/v1/media/frame-digest"), frame)
//               over the protected frame exactly as sent (clear prefix, header, ciphertext, tag)
//   signature = Ed25519(mediaKey, u16 len || "sealroom/v1/sig/media-batch" || roomId 16 || body)
//
// Run i covers CTRs firstCtr .. firstCtr + n - 1 of that KID, one digest each, in order; runs are
// ascending and do not overlap, and every CTR of a batch lies in one page life's counter space.
// The batch's range is [from, last CTR of the last run]: the sender states that it sealed no other
// counter of that KID in the range (from <= the first run's firstCtr, same page life). A sender's
// ranges follow each other, so the receiver needs neither their order nor all of them to tell that a
// frame at an unlisted counter inside a range is not the sender's (version 0x81 had no range).
// Why the whole frame and not its tag: whoever holds the AES-GCM key can make a second frame with
// any chosen tag (GHASH is linear in the ciphertext), so a hash of the tag binds nothing here.
import { Reader, Writer, utf8 } from './bytes';
import { CodecError, Reason, VerificationError } from './errors';
import { PUBLIC_KEY_BYTES, ROOM_ID_BYTES, SIGNATURE_BYTES, assertLength } from './identity';
import { labelledHash } from './kdf';
import { Label } from './labels';
import { MAX_BATCH_FRAMES, MAX_BATCH_RUNS, MEDIA_DIGEST_BYTES, PAGE_LIFE_CTR_BITS } from './limits';
import { subtle } from './sframe/webcrypto';
import { sodium } from './sodium';
import { checkVersion } from './version';

const STATEMENT_VERSION = 1;
/** Version 1 of the batch format, with the high bit set (see above). */
export const MEDIA_BATCH_VERSION = 0x82;
const ANSWER_ME = 0x01;

// --- media key statement

export interface MediaKeyStatement {
  /** The sending page's life: its batches cover CTRs of this counter space only. */
  readonly life: number;
  readonly publicKey: Uint8Array;
  /** The sender asks every receiver for its own statement (it joined or its socket is back). */
  readonly answerMe: boolean;
}

export function encodeMediaKeyStatement(s: MediaKeyStatement): Uint8Array {
  assertLength(s.publicKey, PUBLIC_KEY_BYTES, 'media signing key');
  return new Writer().u8(STATEMENT_VERSION).u8(s.answerMe ? ANSWER_ME : 0).u64(s.life).bytes(s.publicKey).finish();
}

export function decodeMediaKeyStatement(bytes: Uint8Array): MediaKeyStatement {
  const r = new Reader(bytes, 'media key statement');
  checkVersion(r.u8(), STATEMENT_VERSION, 'media key statement');
  const flags = r.u8();
  if ((flags & ~ANSWER_ME) !== 0) throw new CodecError(Reason.malformed, 'media key statement has unknown flags');
  const life = r.u64();
  if (life >= 1n << 32n) throw new CodecError(Reason.outOfRange, 'media key statement names a page life above 2^32 - 1');
  const publicKey = r.bytes(PUBLIC_KEY_BYTES).slice();
  r.end();
  return { life: Number(life), publicKey, answerMe: (flags & ANSWER_ME) !== 0 };
}

// --- frame digests

let digestKey: Uint8Array | undefined;

/** The 8-byte digest a batch carries for one protected frame, as sent. */
export function mediaFrameDigest(frame: Uint8Array): Uint8Array {
  digestKey ??= labelledHash(Label.mediaFrameDigest, new Uint8Array(0));
  return sodium().crypto_generichash(MEDIA_DIGEST_BYTES, frame, digestKey);
}

// --- batches

export interface MediaBatchRun {
  readonly firstCtr: bigint;
  /** n digests of MEDIA_DIGEST_BYTES each, for CTRs firstCtr .. firstCtr + n - 1. */
  readonly digests: Uint8Array;
}

export interface MediaBatch {
  readonly kid: bigint;
  /** The first counter of the batch's range (see above). */
  readonly from: bigint;
  readonly runs: readonly MediaBatchRun[];
}

/** A batch as decoded, with what its signature covers. */
export interface DecodedMediaBatch extends MediaBatch {
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
  /** The page life every CTR of the batch belongs to. */
  readonly life: number;
}

/** True when relayed bytes are a media batch (of any version) rather than an app message. */
export function isMediaBatch(bytes: Uint8Array): boolean {
  return bytes.length > 0 && ((bytes[0] as number) & 0x80) !== 0;
}

export function encodeMediaBatchBody(batch: MediaBatch): Uint8Array {
  checkRuns(batch.from, batch.runs);
  const w = new Writer().u8(MEDIA_BATCH_VERSION).u64(batch.kid).u64(batch.from).u8(batch.runs.length);
  for (const run of batch.runs) w.u64(run.firstCtr).u16(run.digests.length / MEDIA_DIGEST_BYTES).bytes(run.digests);
  return w.finish();
}

export function mediaBatchSignatureInput(roomId: Uint8Array, body: Uint8Array): Uint8Array {
  assertLength(roomId, ROOM_ID_BYTES, 'room id');
  return new Writer().vec16(utf8(Label.sigMediaBatch)).bytes(roomId).bytes(body).finish();
}

export function decodeMediaBatch(bytes: Uint8Array): DecodedMediaBatch {
  if (bytes.length < SIGNATURE_BYTES + 1) throw new CodecError(Reason.truncated, 'media batch is truncated');
  const body = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
  const signature = bytes.subarray(bytes.length - SIGNATURE_BYTES);
  const r = new Reader(body, 'media batch');
  checkVersion(r.u8(), MEDIA_BATCH_VERSION, 'media batch');
  const kid = r.u64();
  const from = r.u64();
  const count = r.u8();
  const runs: MediaBatchRun[] = [];
  for (let i = 0; i < count; i++) {
    const firstCtr = r.u64();
    const n = r.u16();
    runs.push({ firstCtr, digests: r.bytes(n * MEDIA_DIGEST_BYTES) });
  }
  r.end();
  checkRuns(from, runs);
  return { kid, from, runs, body, signature, life: lifeOf(runs[0]!.firstCtr) };
}

function lifeOf(ctr: bigint): number {
  return Number(ctr >> BigInt(PAGE_LIFE_CTR_BITS));
}

function checkRuns(from: bigint, runs: readonly MediaBatchRun[]): void {
  if (runs.length === 0 || runs.length > MAX_BATCH_RUNS) throw new CodecError(Reason.outOfRange, `a media batch has 1..${MAX_BATCH_RUNS} runs, not ${runs.length}`);
  let frames = 0;
  let next = from - 1n;
  const life = lifeOf(runs[0]!.firstCtr);
  if (lifeOf(from) !== life) throw new CodecError(Reason.malformed, 'a media batch range spans two page lives');
  for (const run of runs) {
    const n = run.digests.length / MEDIA_DIGEST_BYTES;
    if (!Number.isInteger(n) || n < 1) throw new CodecError(Reason.malformed, 'a media batch run covers no frame');
    if (run.firstCtr <= next) throw new CodecError(Reason.malformed, 'media batch runs overlap or are out of order');
    next = run.firstCtr + BigInt(n) - 1n;
    if (lifeOf(run.firstCtr) !== life || lifeOf(next) !== life) throw new CodecError(Reason.malformed, 'a media batch spans two page lives');
    frames += n;
  }
  if (frames > MAX_BATCH_FRAMES) throw new CodecError(Reason.fieldTooLong, `a media batch covers ${frames} frames, above ${MAX_BATCH_FRAMES}`);
}

// --- signing keys: WebCrypto Ed25519 where the engine has it (non-extractable), libsodium otherwise

export interface MediaSigningKey {
  readonly publicKey: Uint8Array;
  readonly engine: 'webcrypto' | 'libsodium';
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface MediaVerifyKey {
  readonly publicKey: Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array): Promise<boolean>;
}

const ED25519 = { name: 'Ed25519' } as const;

/** A fresh per-page media signing key. `engine` forces one (tests and the bench). */
export async function generateMediaSigningKey(engine?: 'webcrypto' | 'libsodium'): Promise<MediaSigningKey> {
  if (engine !== 'libsodium') {
    try {
      const pair = (await subtle().generateKey(ED25519, false, ['sign', 'verify'])) as CryptoKeyPair;
      const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
      return {
        publicKey,
        engine: 'webcrypto',
        sign: async (message) => new Uint8Array(await subtle().sign(ED25519, pair.privateKey, copy(message))),
      };
    } catch (error) {
      if (engine === 'webcrypto') throw error;
    }
  }
  const pair = sodium().crypto_sign_keypair();
  return { publicKey: pair.publicKey, engine: 'libsodium', sign: async (message) => sodium().crypto_sign_detached(message, pair.privateKey) };
}

/** A sender's announced key, ready to check its batches. */
export async function importMediaVerifyKey(publicKey: Uint8Array, engine?: 'webcrypto' | 'libsodium'): Promise<MediaVerifyKey> {
  assertLength(publicKey, PUBLIC_KEY_BYTES, 'media signing key');
  const key = publicKey.slice();
  if (engine !== 'libsodium') {
    try {
      const imported = await subtle().importKey('raw', key, ED25519, false, ['verify']);
      return { publicKey: key, verify: async (signature, message) => subtle().verify(ED25519, imported, copy(signature), copy(message)) };
    } catch (error) {
      if (engine === 'webcrypto') throw error;
    }
  }
  return { publicKey: key, verify: async (signature, message) => sodium().crypto_sign_verify_detached(signature, message, key) };
}

function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export async function signMediaBatch(key: MediaSigningKey, roomId: Uint8Array, batch: MediaBatch): Promise<Uint8Array> {
  const body = encodeMediaBatchBody(batch);
  const signature = await key.sign(mediaBatchSignatureInput(roomId, body));
  return new Writer().bytes(body).bytes(signature).finish();
}

/** Check a decoded batch's signature under its sender's key; VerificationError (bad-signature) if it fails. */
export async function verifyMediaBatch(key: MediaVerifyKey, roomId: Uint8Array, batch: DecodedMediaBatch): Promise<void> {
  if (!(await key.verify(batch.signature, mediaBatchSignatureInput(roomId, batch.body)))) {
    throw new VerificationError(Reason.badSignature, `media batch for KID ${batch.kid} is not signed by its sender's media key`);
  }
}
