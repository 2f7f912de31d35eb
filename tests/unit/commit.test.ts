import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Writer,
  canonicalName,
  toBase64Url,
  type CommitAction,
  type CommitBody,
  type CommitMember,
  CommitAction as Actions,
  ZERO_HASH,
  commitHash,
  decodeCommitBody,
  decodeSignedCommit,
  encodeCommitBody,
  participantIdBytes,
  participantIdText,
  signCommit,
  unwrapCommit,
  verifyCommitSignature,
  wrapCommit as wrapWith,
  commitKey,
  commitKeyFromHandoff,
  deriveLinkKeys,
  wrappedCommitEpoch,
  CodecError,
  Reason,
  SealroomCryptoError,
  VerificationError,
  VersionError,
  generateIdentity,
  sodium,
  wrap,
  Label,
} from '../../crypto/index';
import { expectError, thrown } from '../scenario/errors';

const rnd = (n: number) => sodium().randombytes_buf(n);
const actions = Object.keys(Actions) as CommitAction[];

function member(index: number, displayName = `Member ${index}`): CommitMember {
  return { index, identityPublicKey: rnd(32), roomPublicKey: rnd(32), roomKeySignature: rnd(64), participantId: rnd(16), displayName };
}

function body(overrides: Partial<CommitBody> = {}): CommitBody {
  return {
    roomId: rnd(16),
    epoch: 3,
    prevHash: rnd(32),
    action: 'admit',
    locked: false,
    ended: false,
    signer: rnd(32),
    hostIndex: 0,
    secretCommitment: rnd(32),
    members: [member(0), member(1), member(5)],
    ...overrides,
  };
}

const memberArb = fc.record({
  index: fc.integer({ min: 0, max: 63 }),
  identityPublicKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  roomPublicKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  roomKeySignature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  participantId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  displayName: fc.string({ minLength: 1, maxLength: 16 }).map((s) => canonicalName(s) || 'x'),
});

const bodyArb = fc.record({
  roomId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  epoch: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  prevHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  action: fc.constantFrom(...actions),
  locked: fc.boolean(),
  ended: fc.boolean(),
  signer: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  hostIndex: fc.integer({ min: 0, max: 63 }),
  secretCommitment: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  members: fc.array(memberArb, { maxLength: 8 }),
});

/** Offset of a field in an encoded body (see the layout drawn in crypto/commit.ts). */
const AT = { version: 0, epoch: 17, action: 57, flags: 58, hostIndex: 91, count: 125, firstIndex: 127 } as const;

describe('commit body codec', () => {
  it('round-trips any body', () => {
    fc.assert(
      fc.property(bodyArb, (b) => {
        expect(decodeCommitBody(encodeCommitBody(b))).toEqual(b);
      }),
    );
  });

  it('places the fields at the offsets drawn in the layout', () => {
    const b = body({ epoch: 0x0102, action: 'lock', locked: true, ended: true, hostIndex: 5 });
    const bytes = encodeCommitBody(b);
    expect(bytes[AT.version]).toBe(1);
    expect(bytes.subarray(AT.epoch, AT.epoch + 8)).toEqual(new Writer().u64(0x0102).finish());
    expect(bytes[AT.action]).toBe(Actions.lock);
    expect(bytes[AT.flags]).toBe(0b11);
    expect(bytes.subarray(AT.hostIndex, AT.hostIndex + 2)).toEqual(Uint8Array.of(0, 5));
    expect(bytes.subarray(AT.count, AT.count + 2)).toEqual(Uint8Array.of(0, 3));
  });

  it('refuses unknown and old versions with distinct reasons', () => {
    const bytes = encodeCommitBody(body());
    expectError(() => decodeCommitBody(Uint8Array.of(2, ...bytes.subarray(1))), VersionError, Reason.unknownVersion);
    expectError(() => decodeCommitBody(Uint8Array.of(0, ...bytes.subarray(1))), VersionError, Reason.oldVersion);
  });

  it('refuses truncation and trailing bytes', () => {
    const bytes = encodeCommitBody(body());
    expectError(() => decodeCommitBody(bytes.subarray(0, bytes.length - 1)), CodecError, Reason.truncated);
    expectError(() => decodeCommitBody(bytes.subarray(0, 50)), CodecError, Reason.truncated);
    expectError(() => decodeCommitBody(Uint8Array.of(...bytes, 0)), CodecError, Reason.trailingBytes);
  });

  it('refuses an unknown action, unknown flag bits, and indexes above 63', () => {
    const patch = (at: number, value: number) => {
      const bytes = encodeCommitBody(body());
      bytes[at] = value;
      return bytes;
    };
    expectError(() => decodeCommitBody(patch(AT.action, 0)), CodecError, Reason.malformed);
    expectError(() => decodeCommitBody(patch(AT.action, 10)), CodecError, Reason.malformed);
    expectError(() => decodeCommitBody(patch(AT.flags, 0b100)), CodecError, Reason.malformed);
    expectError(() => decodeCommitBody(patch(AT.hostIndex + 1, 64)), CodecError, Reason.outOfRange);
    expectError(() => decodeCommitBody(patch(AT.firstIndex + 1, 64)), CodecError, Reason.outOfRange);
    expectError(() => decodeCommitBody(patch(AT.count + 1, 65)), CodecError, Reason.outOfRange);
  });

  it('refuses to encode out-of-range values', () => {
    expectError(() => encodeCommitBody(body({ epoch: -1 })), CodecError, Reason.outOfRange);
    expectError(() => encodeCommitBody(body({ epoch: 2 ** 53 })), CodecError, Reason.outOfRange);
    expectError(() => encodeCommitBody(body({ members: [member(64)] })), CodecError, Reason.outOfRange);
    expectError(() => encodeCommitBody(body({ members: [member(1, '')] })), CodecError, Reason.malformed);
    expectError(() => encodeCommitBody(body({ prevHash: rnd(31) })), CodecError, Reason.malformed);
  });

  it('refuses an epoch beyond 2^53 - 1 when decoding', () => {
    const bytes = encodeCommitBody(body());
    bytes.set(new Writer().u64(2n ** 53n).finish(), AT.epoch);
    expectError(() => decodeCommitBody(bytes), CodecError, Reason.outOfRange);
  });
});

describe('signed commits', () => {
  it('verify under the signer, round-trip, and hash as documented', async () => {
    const identity = generateIdentity();
    const signed = await signCommit(identity, body());
    expect(signed.body.signer).toEqual(identity.publicKey);
    const decoded = decodeSignedCommit(signed.bytes);
    expect(decoded.body).toEqual(signed.body);
    expect(decoded.hash).toEqual(commitHash(signed.bytes));
    expect(() => verifyCommitSignature(decoded)).not.toThrow();
  });

  it('fail verification if any body byte or the signature changes', async () => {
    const signed = await signCommit(generateIdentity(), body());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: signed.bytes.length * 8 - 1 }), (bit) => {
        const tampered = signed.bytes.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        const error = thrown(() => verifyCommitSignature(decodeSignedCommit(tampered)));
        expect(error).toBeInstanceOf(SealroomCryptoError);
      }),
      { numRuns: 300 },
    );
  });

  it('fail verification when the stated signer is swapped for another key', async () => {
    const signed = await signCommit(generateIdentity(), body());
    const forged = { ...signed, body: { ...signed.body, signer: generateIdentity().publicKey } };
    expectError(() => verifyCommitSignature(forged), VerificationError, Reason.badSignature);
  });

  it('refuses a signed commit shorter than a signature', () => {
    expectError(() => decodeSignedCommit(new Uint8Array(63)), CodecError, Reason.truncated);
  });
});

describe('wrapped commits', () => {
  const secret = rnd(32);
  const identity = generateIdentity();
  const keyOf = (signed: { body: { roomId: Uint8Array; epoch: number } }) => commitKey(secret, signed.body.roomId, signed.body.epoch);
  const wrapCommit = (_k: unknown, signed: Parameters<typeof wrapWith>[0]) => wrapWith(signed, secret, null);

  it('round-trip, and carry their epoch in clear for routing', async () => {
    const signed = await signCommit(identity, body({ epoch: 42 }));
    const wrapped = wrapCommit(secret, signed);
    expect(wrappedCommitEpoch(wrapped)).toBe(42);
    const opened = unwrapCommit(keyOf(signed), signed.body.roomId, wrapped);
    expect(opened.bytes).toEqual(signed.bytes);
    expect(opened.hash).toEqual(signed.hash);
  });

  it('hide names and keys from a reader without the key', async () => {
    const signed = await signCommit(identity, body({ members: [member(0, 'Zanzibar Quux')] }));
    const text = toBase64Url(wrapCommit(secret, signed));
    expect(text).not.toContain(toBase64Url(signed.body.members[0]?.identityPublicKey ?? ZERO_HASH).slice(0, 20));
    expect(new TextDecoder().decode(wrapCommit(secret, signed))).not.toContain('Zanzibar');
  });

  it('refuse the wrong key, the wrong room, and an epoch relabelled in clear', async () => {
    const signed = await signCommit(identity, body({ epoch: 5 }));
    const wrapped = wrapCommit(secret, signed);
    expectError(() => unwrapCommit(rnd(32), signed.body.roomId, wrapped), VerificationError, Reason.authFailed);
    expectError(() => unwrapCommit(keyOf(signed), rnd(16), wrapped), VerificationError, Reason.authFailed);
    const relabelled = wrapped.slice();
    relabelled.set(new Writer().u64(6).finish(), 1);
    expectError(() => unwrapCommit(keyOf(signed), signed.body.roomId, relabelled), VerificationError, Reason.authFailed);
  });

  it('refuse a commit wrapped by a key holder under another epoch than it is signed for', async () => {
    const signed = await signCommit(identity, body({ epoch: 5 }));
    const context = new Writer().bytes(signed.body.roomId).u64(6).finish();
    const key6 = commitKey(secret, signed.body.roomId, 6);
    const rewrapped = new Writer().u8(2).u64(6).vec16(new Uint8Array(0)).bytes(wrap(key6, Label.epochCommitKey, context, signed.bytes)).finish();
    expectError(() => unwrapCommit(key6, signed.body.roomId, rewrapped), VerificationError, Reason.authFailed);
  });

  it('open for a member of the epoch before only through the handoff, and never with the link', async () => {
    const previous = rnd(32);
    const signed = await signCommit(identity, body({ epoch: 7 }));
    const wrapped = wrapWith(signed, secret, previous);
    const key = commitKeyFromHandoff(previous, signed.body.roomId, wrapped);
    expect(unwrapCommit(key, signed.body.roomId, wrapped).bytes).toEqual(signed.bytes);
    expectError(() => commitKeyFromHandoff(rnd(32), signed.body.roomId, wrapped), VerificationError, Reason.authFailed);
    expectError(() => commitKeyFromHandoff(previous, signed.body.roomId, wrapWith(signed, secret, null)), VerificationError, Reason.missingEnvelope);
    const link = deriveLinkKeys(rnd(32), signed.body.roomId);
    for (const k of [link.lobbyKey, link.joinMacKey, link.roomInfoKey, link.accessToken]) {
      expectError(() => unwrapCommit(k, signed.body.roomId, wrapped), VerificationError, Reason.authFailed);
    }
  });

  it('refuse unknown wrapper versions and truncated wrappers', async () => {
    const wrapped = wrapCommit(secret, await signCommit(identity, body()));
    expectError(() => wrappedCommitEpoch(Uint8Array.of(3, ...wrapped.subarray(1))), VersionError, Reason.unknownVersion);
    expectError(() => wrappedCommitEpoch(Uint8Array.of(1, ...wrapped.subarray(1))), VersionError, Reason.oldVersion);
    expectError(() => unwrapCommit(rnd(32), rnd(16), wrapped.subarray(0, 5)), CodecError, Reason.truncated);
  });

  it('refuse any single flipped bit with a typed error', async () => {
    const signed = await signCommit(identity, body());
    const wrapped = wrapCommit(secret, signed);
    const key = keyOf(signed);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: wrapped.length * 8 - 1 }), (bit) => {
        const tampered = wrapped.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        const error = thrown(() => unwrapCommit(key, signed.body.roomId, tampered));
        const byte = bit >> 3;
        // byte 0: wrapper version; 1..8: epoch in clear (its top 11 bits would exceed 2^53 - 1);
        // 9..10: handoff length (0 here: a flip makes the rest misparse); 11: wrap.ts version;
        // then nonce, ciphertext and tag.
        if (byte === 0 || byte === 11) expect(error).toBeInstanceOf(VersionError);
        else if (byte === 9 || byte === 10) expect(error).toBeInstanceOf(SealroomCryptoError);
        else if (byte <= 2 && error instanceof CodecError) expect(error.reason).toBe(Reason.outOfRange);
        else expect([error.constructor, error.reason]).toEqual([VerificationError, Reason.authFailed]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('participant ids', () => {
  it('round-trip between 22 base64url characters and 16 bytes', () => {
    const bytes = rnd(16);
    expect(participantIdBytes(participantIdText(bytes))).toEqual(bytes);
  });

  it('refuse other lengths and characters', () => {
    expectError(() => participantIdBytes('abc'), CodecError, Reason.malformed);
    expectError(() => participantIdBytes(toBase64Url(rnd(17))), CodecError, Reason.malformed);
    expectError(() => participantIdBytes('*'.repeat(22)), CodecError, Reason.malformed);
  });
});
