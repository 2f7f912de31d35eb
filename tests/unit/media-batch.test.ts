// [M1] The media batch and media key statement formats (crypto/media-batch.ts): known answers for
// fixed keys (pinned, like tests/vectors/sealroom-v1 pins our other formats: a reordered field or a
// changed label fails here), the layout rebuilt by hand from the drawing, round trips, and every
// refusal with its typed error.
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  type MediaSigningKey,
  Reason,
  VerificationError,
  VersionError,
  Writer,
  decodeMediaBatch,
  decodeMediaKeyStatement,
  encodeMediaBatchBody,
  encodeMediaKeyStatement,
  generateMediaSigningKey,
  importMediaVerifyKey,
  isMediaBatch,
  mediaBatchSignatureInput,
  mediaFrameDigest,
  MEDIA_BATCH_VERSION,
  signMediaBatch,
  sodium,
  utf8,
  verifyMediaBatch,
} from '../../crypto/index';
import { fromHex, toHex } from '../vectors/hex';
import { expectError } from '../scenario/errors';

// Fixed inputs: an Ed25519 key from a fixed seed (signatures are deterministic), a room id, frames.
const SEED = Uint8Array.from({ length: 32 }, (_, i) => i);
const ROOM = fromHex('00112233445566778899aabbccddeeff');
const KID = (7n << 6n) | 2n; // epoch 7, sender 2
const LIFE = 3;
const CTR0 = (BigInt(LIFE) << 32n) | 100n;
const FRAMES = [fromHex('deadbeef'), fromHex('00'), new Uint8Array(1200).map((_, i) => i & 0xff)];

function fixedKey(): MediaSigningKey {
  const pair = sodium().crypto_sign_seed_keypair(SEED);
  return { publicKey: pair.publicKey, engine: 'libsodium', sign: async (m) => sodium().crypto_sign_detached(m, pair.privateKey) };
}

const batch = () => ({ kid: KID, from: CTR0 - 2n, runs: [{ firstCtr: CTR0, digests: new Uint8Array(FRAMES.flatMap((f) => [...mediaFrameDigest(f)])) }] });

describe('[M1] media batch format', () => {
  it('gives the pinned bytes for fixed keys and frames', async () => {
    const key = fixedKey();
    expect(toHex(key.publicKey)).toBe('03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8');
    expect(FRAMES.map((f) => toHex(mediaFrameDigest(f)))).toEqual(['8d5ea4ff850ad7c0', '8a0bae40957ce3e6', '6ea76b3f2fe3391b']);
    expect(toHex(encodeMediaKeyStatement({ life: LIFE, publicKey: key.publicKey, answerMe: true }))).toBe('0101000000000000000303a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8');
    expect(toHex(await signMediaBatch(key, ROOM, batch()))).toBe(
      '8200000000000001c2000000030000006201000000030000006400038d5ea4ff850ad7c08a0bae40' +
        '957ce3e66ea76b3f2fe3391bbe52ebadb2dfffeaf7baa99bd349a80ec1a8d3e838b4454ad08a6861' +
        'bf3c8fde109463a95e918244c41281e24ea752dce9bc22f325ca42c14f6f70075576cc0b',
    );
  });

  it('is laid out as SECURITY.md draws it', async () => {
    const key = fixedKey();
    // digest = BLAKE2b-64(key = BLAKE2b-256(u16 len || label), frame), rebuilt with raw libsodium
    const label = utf8('sealroom/v1/media/frame-digest');
    const digestKey = sodium().crypto_generichash(32, new Writer().vec16(label).finish(), null);
    for (const f of FRAMES) expect(mediaFrameDigest(f)).toEqual(sodium().crypto_generichash(8, f, digestKey));
    const digests = FRAMES.map((f) => mediaFrameDigest(f));
    const body = new Writer().u8(0x82).u64(KID).u64(CTR0 - 2n).u8(1).u64(CTR0).u16(3).bytes(digests[0]!).bytes(digests[1]!).bytes(digests[2]!).finish();
    expect(encodeMediaBatchBody(batch())).toEqual(body);
    const signed = new Writer().vec16(utf8('sealroom/v1/sig/media-batch')).bytes(ROOM).bytes(body).finish();
    expect(mediaBatchSignatureInput(ROOM, body)).toEqual(signed);
    const wire = await signMediaBatch(key, ROOM, batch());
    expect(wire.subarray(0, body.length)).toEqual(body);
    expect(sodium().crypto_sign_verify_detached(wire.subarray(body.length), signed, key.publicKey)).toBe(true);
    expect(encodeMediaKeyStatement({ life: LIFE, publicKey: key.publicKey, answerMe: false })).toEqual(new Writer().u8(1).u8(0).u64(LIFE).bytes(key.publicKey).finish());
  });

  it('round-trips and verifies with both engines, and refuses a flipped bit, another room or another key', async () => {
    for (const engine of ['webcrypto', 'libsodium'] as const) {
      const key = await generateMediaSigningKey(engine);
      expect(key.engine).toBe(engine);
      const wire = await signMediaBatch(key, ROOM, batch());
      const decoded = decodeMediaBatch(wire);
      expect(decoded.kid).toBe(KID);
      expect(decoded.life).toBe(LIFE);
      expect(decoded.runs).toEqual(batch().runs);
      expect(decoded.from).toBe(CTR0 - 2n);
      for (const verifier of ['webcrypto', 'libsodium'] as const) {
        const pub = await importMediaVerifyKey(key.publicKey, verifier);
        await verifyMediaBatch(pub, ROOM, decoded);
        await expect(verifyMediaBatch(pub, fromHex('ff112233445566778899aabbccddeeff'), decoded)).rejects.toSatisfy((e) => e instanceof VerificationError && e.reason === Reason.badSignature);
        for (const bit of [0, 9 * 8 + 3, wire.length * 8 - 1]) {
          const flipped = wire.slice();
          flipped[bit >> 3]! ^= 1 << (bit & 7);
          let refused = false;
          try {
            await verifyMediaBatch(pub, ROOM, decodeMediaBatch(flipped));
          } catch {
            refused = true;
          }
          expect(refused).toBe(true);
        }
      }
      const other = await importMediaVerifyKey((await generateMediaSigningKey(engine)).publicKey);
      await expect(verifyMediaBatch(other, ROOM, decoded)).rejects.toBeInstanceOf(VerificationError);
    }
  });

  it('never parses as an app message, and an app message never parses as a batch', async () => {
    const wire = await signMediaBatch(fixedKey(), ROOM, batch());
    expect(isMediaBatch(wire)).toBe(true);
    expect(wire[0]).toBe(MEDIA_BATCH_VERSION);
    expect(isMediaBatch(Uint8Array.of(1, 0, 0))).toBe(false);
    expect(isMediaBatch(new Uint8Array(0))).toBe(false);
  });

  it('refuses other versions, truncation, trailing bytes and bad runs with typed errors', async () => {
    const wire = await signMediaBatch(fixedKey(), ROOM, batch());
    const withFirst = (b: number) => Uint8Array.of(b, ...wire.subarray(1));
    expectError(() => decodeMediaBatch(withFirst(0x83)), VersionError, Reason.unknownVersion);
    expectError(() => decodeMediaBatch(withFirst(0x81)), VersionError, Reason.oldVersion); // version 1: no range
    expectError(() => decodeMediaBatch(wire.subarray(0, 40)), CodecError, Reason.truncated);
    expectError(() => decodeMediaBatch(wire.subarray(0, wire.length - 1)), CodecError, Reason.truncated); // the signature takes a digest's last byte
    expectError(() => decodeMediaBatch(Uint8Array.of(...wire, 0)), CodecError, Reason.trailingBytes);
    const d = new Uint8Array(8);
    expectError(() => encodeMediaBatchBody({ kid: KID, from: 0n, runs: [] }), CodecError, Reason.outOfRange);
    // The range starts at or before the first run, in the same page life.
    expectError(() => encodeMediaBatchBody({ ...batch(), from: CTR0 + 1n }), CodecError, Reason.malformed);
    expectError(() => encodeMediaBatchBody({ ...batch(), from: CTR0 - (1n << 32n) }), CodecError, Reason.malformed);
    expectError(() => encodeMediaBatchBody({ kid: KID, from: 0n, runs: [{ firstCtr: CTR0, digests: new Uint8Array(0) }] }), CodecError, Reason.malformed);
    expectError(() => encodeMediaBatchBody({ kid: KID, from: 0n, runs: [{ firstCtr: CTR0, digests: new Uint8Array(12) }] }), CodecError, Reason.malformed);
    expectError(() => encodeMediaBatchBody({ kid: KID, from: 0n, runs: [{ firstCtr: CTR0, digests: new Uint8Array(16) }, { firstCtr: CTR0 + 1n, digests: d }] }), CodecError, Reason.malformed);
    expectError(() => encodeMediaBatchBody({ kid: KID, from: 0n, runs: [{ firstCtr: (1n << 32n) - 1n, digests: new Uint8Array(16) }] }), CodecError, Reason.malformed);
    expectError(() => encodeMediaBatchBody({ kid: KID, from: 0n, runs: [{ firstCtr: 0n, digests: new Uint8Array(8 * 1025) }] }), CodecError, Reason.fieldTooLong);
    expectError(() => encodeMediaBatchBody({ kid: KID, from: 0n, runs: Array.from({ length: 33 }, (_, i) => ({ firstCtr: BigInt(2 * i), digests: d })) }), CodecError, Reason.outOfRange);
  });

  it('refuses a statement of another version, with unknown flags, a wrong key length or trailing bytes', () => {
    const good = encodeMediaKeyStatement({ life: LIFE, publicKey: fixedKey().publicKey, answerMe: false });
    expect(decodeMediaKeyStatement(good)).toEqual({ life: LIFE, publicKey: fixedKey().publicKey, answerMe: false });
    expectError(() => decodeMediaKeyStatement(Uint8Array.of(2, ...good.subarray(1))), VersionError, Reason.unknownVersion);
    expectError(() => decodeMediaKeyStatement(Uint8Array.of(1, 2, ...good.subarray(2))), CodecError, Reason.malformed);
    expectError(() => decodeMediaKeyStatement(good.subarray(0, good.length - 1)), CodecError, Reason.truncated);
    expectError(() => decodeMediaKeyStatement(Uint8Array.of(...good, 0)), CodecError, Reason.trailingBytes);
    expectError(() => decodeMediaKeyStatement(new Writer().u8(1).u8(0).u64(1n << 32n).bytes(fixedKey().publicKey).finish()), CodecError, Reason.outOfRange);
  });
});
