import { describe, expect, it } from 'vitest';
import {
  CodecError,
  Reason,
  VerificationError,
  VersionError,
  decodeIdentity,
  decodeRoomKey,
  encodeIdentity,
  encodeRoomKey,
  fingerprint,
  generateIdentity,
  generateRoomKey,
  signRoomKey,
  verifyRoomKey,
  sodium,
} from '../../crypto/index';
import { expectRejected, expectError } from '../scenario/errors';

const roomId = () => sodium().randombytes_buf(16);

describe('identity serialization', () => {
  it('round-trips a key pair through its stored form', () => {
    const identity = generateIdentity();
    const restored = decodeIdentity(encodeIdentity(identity));
    expect(restored.publicKey).toEqual(identity.publicKey);
    expect(restored.secretKey).toEqual(identity.secretKey);
  });

  it('stores a version byte and the 32-byte seed only', () => {
    const stored = encodeIdentity(generateIdentity());
    expect(stored.length).toBe(33);
    expect(stored[0]).toBe(1);
  });

  it('refuses an unknown version, a truncated seed and trailing bytes', () => {
    const stored = encodeIdentity(generateIdentity());
    const other = stored.slice();
    other[0] = 2;
    expectError(() => decodeIdentity(other), VersionError, Reason.unknownVersion);
    expectError(() => decodeIdentity(stored.subarray(0, 32)), CodecError, Reason.truncated);
    expectError(() => decodeIdentity(Uint8Array.of(...stored, 0)), CodecError, Reason.trailingBytes);
  });
});

describe('fingerprint', () => {
  it('is 32 bytes, stable for a key, and different for another key', () => {
    const a = generateIdentity().publicKey;
    expect(fingerprint(a)).toHaveLength(32);
    expect(fingerprint(a)).toEqual(fingerprint(a.slice()));
    expect(fingerprint(a)).not.toEqual(fingerprint(generateIdentity().publicKey));
  });

  it('refuses a key of the wrong length', () => {
    expectError(() => fingerprint(new Uint8Array(31)), CodecError, Reason.malformed);
  });
});

describe('room-key signatures', () => {
  it('verify for the identity, room and room key they were made for', () => {
    const identity = generateIdentity();
    const room = roomId();
    const roomKey = generateRoomKey().publicKey;
    expect(async () => verifyRoomKey(identity.publicKey, room, roomKey, await signRoomKey(identity, room, roomKey))).not.toThrow();
  });

  it('fail for another room, another room key, another identity or an altered signature', async () => {
    const identity = generateIdentity();
    const room = roomId();
    const roomKey = generateRoomKey().publicKey;
    const sig = await signRoomKey(identity, room, roomKey);
    const flipped = sig.slice();
    flipped[10] = (flipped[10] as number) ^ 1;
    expectError(() => verifyRoomKey(identity.publicKey, roomId(), roomKey, sig), VerificationError, Reason.badSignature);
    expectError(() => verifyRoomKey(identity.publicKey, room, generateRoomKey().publicKey, sig), VerificationError, Reason.badSignature);
    expectError(() => verifyRoomKey(generateIdentity().publicKey, room, roomKey, sig), VerificationError, Reason.badSignature);
    expectError(() => verifyRoomKey(identity.publicKey, room, roomKey, flipped), VerificationError, Reason.badSignature);
  });

  it('refuse inputs of the wrong length with a codec error', async () => {
    const identity = generateIdentity();
    const roomKey = generateRoomKey().publicKey;
    await expectRejected(() => signRoomKey(identity, new Uint8Array(15), roomKey), CodecError, Reason.malformed);
    expectError(() => verifyRoomKey(identity.publicKey, roomId(), roomKey, new Uint8Array(63)), CodecError, Reason.malformed);
  });
});

describe('room key storage form', () => {
  it('round-trips and recomputes the public key from the secret', () => {
    const key = generateRoomKey();
    const decoded = decodeRoomKey(encodeRoomKey(key));
    expect(decoded.publicKey).toEqual(key.publicKey);
    expect(decoded.secretKey).toEqual(key.secretKey);
    expect(() => decodeRoomKey(Uint8Array.of(9, ...key.secretKey))).toThrow(/version 9/);
    expect(() => decodeRoomKey(encodeRoomKey(key).subarray(0, 20))).toThrow();
  });
});
