import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Writer,
  appMessageKey,
  commitToSecret,
  decodeEnvelope,
  encodeEnvelope,
  epochBaseKeys,
  generateEpochSecret,
  kidFor,
  openEnvelope,
  checkCommittedSecret,
  sealEnvelope,
  sframeBaseKey,
  splitKid,
  CodecError,
  ParameterError,
  Reason,
  SealroomCryptoError,
  VerificationError,
  VersionError,
  generateRoomKey,
  kdf,
  Label,
  sodium,
} from '../../crypto/index';
import { expectError, thrown } from '../scenario/errors';

const roomId = sodium().randombytes_buf(16);

describe('envelope codec', () => {
  it('round-trips epoch and secret, 41 bytes with a leading version', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (epoch, secret) => {
        const bytes = encodeEnvelope(epoch, secret);
        expect(bytes.length).toBe(41);
        expect(bytes[0]).toBe(1);
        expect(decodeEnvelope(bytes)).toEqual({ epoch: BigInt(epoch), epochSecret: secret });
      }),
    );
  });

  it('refuses unknown and old versions, truncation and trailing bytes', () => {
    const bytes = encodeEnvelope(3, generateEpochSecret());
    expectError(() => decodeEnvelope(Uint8Array.of(2, ...bytes.subarray(1))), VersionError, Reason.unknownVersion);
    expectError(() => decodeEnvelope(Uint8Array.of(0, ...bytes.subarray(1))), VersionError, Reason.oldVersion);
    expectError(() => decodeEnvelope(bytes.subarray(0, 40)), CodecError, Reason.truncated);
    expectError(() => decodeEnvelope(Uint8Array.of(...bytes, 0)), CodecError, Reason.trailingBytes);
  });
});

describe('openEnvelope', () => {
  const member = generateRoomKey();
  const secret = generateEpochSecret();
  const commitment = commitToSecret(secret, roomId, 4);

  it('returns the secret the commit commits to', () => {
    expect(openEnvelope(member, 4, sealEnvelope(4, secret, member.publicKey))).toEqual(secret);
  });

  it('refuses an envelope sealed to another member (auth-failed)', () => {
    const other = generateRoomKey();
    expectError(() => openEnvelope(member, 4, sealEnvelope(4, secret, other.publicKey)), VerificationError, Reason.authFailed);
  });

  it('refuses a secret the server made up, even sealed to the right key (secret-mismatch)', () => {
    const forged = openEnvelope(member, 4, sealEnvelope(4, generateEpochSecret(), member.publicKey));
    expectError(() => checkCommittedSecret(forged, roomId, 4, commitment), VerificationError, Reason.secretMismatch);
    expect(() => checkCommittedSecret(secret, roomId, 4, commitment)).not.toThrow();
  });

  it('refuses an envelope of another epoch, even with the right secret (secret-mismatch)', () => {
    expectError(() => openEnvelope(member, 4, sealEnvelope(3, secret, member.publicKey)), VerificationError, Reason.secretMismatch);
  });

  it('refuses a sealed envelope whose plaintext has an unknown version', () => {
    const sealed = sodium().crypto_box_seal(Uint8Array.of(2, ...encodeEnvelope(4, secret).subarray(1)), member.publicKey);
    expectError(() => openEnvelope(member, 4, sealed), VersionError, Reason.unknownVersion);
  });

  it('refuses any single flipped bit anywhere in a sealed envelope', () => {
    const sealed = sealEnvelope(4, secret, member.publicKey);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), (bit) => {
        const tampered = sealed.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        const error = thrown(() => openEnvelope(member, 4, tampered));
        expect(error).toBeInstanceOf(SealroomCryptoError);
        expect(error.reason).toBe(Reason.authFailed);
      }),
      { numRuns: 300 },
    );
  });
});

describe('epoch derivations', () => {
  const secret = generateEpochSecret();
  const ctx = (epoch: number) => new Writer().bytes(roomId).u64(epoch);

  it('follow the documented formulas', () => {
    expect(commitToSecret(secret, roomId, 9)).toEqual(kdf(secret, Label.epochSecretCommitment, ctx(9).finish()));
    expect(sframeBaseKey(secret, roomId, 9, 2)).toEqual(kdf(secret, Label.sframeBaseKey, ctx(9).u16(2).finish()));
    expect(appMessageKey(secret, roomId, 9)).toEqual(kdf(secret, Label.appMessageKey, ctx(9).finish()));
  });

  it('give every sender, epoch and room its own base key', () => {
    const keys = new Set<string>();
    for (const epoch of [0, 1]) for (const index of [0, 1, 63]) keys.add(sframeBaseKey(secret, roomId, epoch, index).join());
    keys.add(sframeBaseKey(secret, sodium().randombytes_buf(16), 0, 0).join());
    expect(keys.size).toBe(7);
  });

  it('refuse sender indexes outside 0..63 and secrets of the wrong length', () => {
    expectError(() => sframeBaseKey(secret, roomId, 0, 64), ParameterError, Reason.outOfRange);
    expectError(() => sframeBaseKey(secret, roomId, 0, -1), ParameterError, Reason.outOfRange);
    expectError(() => sframeBaseKey(secret.subarray(0, 16), roomId, 0, 0), CodecError, Reason.malformed);
  });

  it('hand the media worker one base key per member, keyed by KID', () => {
    const keys = epochBaseKeys(secret, roomId, 7, [0, 2, 5]);
    expect([...keys.keys()]).toEqual([kidFor(7, 0), kidFor(7, 2), kidFor(7, 5)]);
    expect(keys.get(kidFor(7, 2))).toEqual(sframeBaseKey(secret, roomId, 7, 2));
  });
});

describe('KIDs', () => {
  it('are epoch << 6 | sender, and split back', () => {
    expect(kidFor(1, 0)).toBe(64n);
    expect(kidFor(2, 63)).toBe(191n);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 63 }), (epoch, senderIndex) => {
        expect(splitKid(kidFor(epoch, senderIndex))).toEqual({ epoch, senderIndex });
      }),
    );
  });

  it('are distinct for distinct (epoch, sender) pairs', () => {
    const kids = new Set<bigint>();
    for (let epoch = 0; epoch < 4; epoch++) for (let s = 0; s < 64; s++) kids.add(kidFor(epoch, s));
    expect(kids.size).toBe(256);
  });

  it('refuse out-of-range inputs', () => {
    expectError(() => kidFor(-1, 0), ParameterError, Reason.outOfRange);
    expectError(() => kidFor(0.5, 0), ParameterError, Reason.outOfRange);
    expectError(() => kidFor(0, 64), ParameterError, Reason.outOfRange);
    expectError(() => splitKid(-1n), ParameterError, Reason.outOfRange);
    expectError(() => splitKid(1n << 64n), ParameterError, Reason.outOfRange);
    expectError(() => splitKid((1n << 64n) - 1n), ParameterError, Reason.outOfRange);
  });
});
