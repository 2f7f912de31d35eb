import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  canonicalName,
  Reason,
  SealroomCryptoError,
  VerificationError,
  VersionError,
  generateIdentity,
  generateRoomKey,
  signRoomKey,
  type JoinRequestFields,
  createJoinRequest,
  decodeJoinRequest,
  encodeJoinRequest,
  openJoinRequest,
  deriveLinkKeys,
  generateLinkSecret,
  sodium,
} from '../../crypto/index';
import { expectError, expectRejected, thrown } from '../scenario/errors';

function setup() {
  const roomId = sodium().randombytes_buf(16);
  const { joinMacKey } = deriveLinkKeys(generateLinkSecret(), roomId);
  const host = generateRoomKey();
  const identity = generateIdentity();
  const roomKey = generateRoomKey();
  const participantId = sodium().randombytes_buf(16);
  const input = { identity, roomKey, roomId, participantId, hostRoomPublicKey: host.publicKey, displayName: 'Ana', joinMacKey };
  return { roomId, joinMacKey, host, identity, roomKey, participantId, input };
}

async function fieldsFor(s: ReturnType<typeof setup>, displayName = 'Ana'): Promise<JoinRequestFields> {
  return {
    roomId: s.roomId,
    participantId: s.participantId,
    identityPublicKey: s.identity.publicKey,
    roomPublicKey: s.roomKey.publicKey,
    roomKeySignature: await signRoomKey(s.identity, s.roomId, s.roomKey.publicKey),
    hostRoomPublicKey: s.host.publicKey,
    displayName,
  };
}

/** Seal a hand-made plaintext to the host, as a sender holding the link could. */
const sealTo = (plaintext: Uint8Array, hostPub: Uint8Array) => sodium().crypto_box_seal(plaintext, hostPub);

describe('join request codec', () => {
  it('round-trips any valid display name', async () => {
    const s = setup();
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 16 }), async (name) => {
        fc.pre(name === canonicalName(name) && name.length > 0);
        const fields = await fieldsFor(s, name);
        expect(decodeJoinRequest(encodeJoinRequest(fields, s.joinMacKey)).fields).toEqual(fields);
      }),
    );
  });

  it('lays out version, fixed fields, name and MAC as drawn', async () => {
    const s = setup();
    const plaintext = encodeJoinRequest(await fieldsFor(s, 'Ana'), s.joinMacKey);
    expect(plaintext[0]).toBe(1);
    expect(plaintext.length).toBe(1 + 16 + 16 + 32 + 32 + 64 + 32 + 2 + 3 + 32);
  });

  it('refuses unknown and old versions with distinct reasons', async () => {
    const s = setup();
    const plaintext = encodeJoinRequest(await fieldsFor(s), s.joinMacKey);
    expectError(() => decodeJoinRequest(Uint8Array.of(2, ...plaintext.subarray(1))), VersionError, Reason.unknownVersion);
    expectError(() => decodeJoinRequest(Uint8Array.of(0, ...plaintext.subarray(1))), VersionError, Reason.oldVersion);
  });

  it('refuses truncated plaintexts and trailing bytes', async () => {
    const s = setup();
    const plaintext = encodeJoinRequest(await fieldsFor(s), s.joinMacKey);
    expectError(() => decodeJoinRequest(plaintext.subarray(0, plaintext.length - 1)), CodecError, Reason.truncated);
    expectError(() => decodeJoinRequest(plaintext.subarray(0, 40)), CodecError, Reason.truncated);
    expectError(() => decodeJoinRequest(Uint8Array.of(...plaintext, 0)), CodecError, Reason.trailingBytes);
  });

  it('refuses an empty or over-long display name', async () => {
    const s = setup();
    await expectRejected(async () => encodeJoinRequest(await fieldsFor(s, ''), s.joinMacKey), CodecError, Reason.malformed);
    await expectRejected(async () => encodeJoinRequest(await fieldsFor(s, 'é'.repeat(49)), s.joinMacKey), CodecError, Reason.fieldTooLong);
    expect(decodeJoinRequest(encodeJoinRequest(await fieldsFor(s, 'é'.repeat(48)), s.joinMacKey)).fields.displayName).toBe('é'.repeat(48));
    // A 48-letter Arabic name fits (it did not at 64 bytes).
    const arabic = 'محمد'.repeat(12);
    expect(decodeJoinRequest(encodeJoinRequest(await fieldsFor(s, arabic), s.joinMacKey)).fields.displayName).toBe(arabic);
  });
});

describe('openJoinRequest', () => {
  it('returns the joiner keys and name of an honest request', async () => {
    const s = setup();
    const opened = openJoinRequest(s.host, s.joinMacKey, s.roomId, await createJoinRequest(s.input), s.participantId);
    expect(opened.identityPublicKey).toEqual(s.identity.publicKey);
    expect(opened.roomPublicKey).toEqual(s.roomKey.publicKey);
    expect(opened.displayName).toBe('Ana');
  });

  it('refuses a request sealed to another key (auth-failed)', async () => {
    const s = setup();
    const other = generateRoomKey();
    const sealed = await createJoinRequest({ ...s.input, hostRoomPublicKey: other.publicKey });
    expectError(() => openJoinRequest(s.host, s.joinMacKey, s.roomId, sealed, s.participantId), VerificationError, Reason.authFailed);
    expectError(() => openJoinRequest(s.host, s.joinMacKey, s.roomId, new Uint8Array(10), s.participantId), VerificationError, Reason.authFailed);
  });

  it('refuses a request of another version (version error)', async () => {
    const s = setup();
    const plaintext = encodeJoinRequest(await fieldsFor(s), s.joinMacKey);
    plaintext[0] = 9;
    expectError(() => openJoinRequest(s.host, s.joinMacKey, s.roomId, sealTo(plaintext, s.host.publicKey), s.participantId), VersionError, Reason.unknownVersion);
  });

  it('refuses a request for another room (wrong-room)', async () => {
    const s = setup();
    await expectRejected(async () => openJoinRequest(s.host, s.joinMacKey, sodium().randombytes_buf(16), await createJoinRequest(s.input), s.participantId), VerificationError, Reason.wrongRoom);
  });

  it('refuses a request re-sealed from another host key to this one (wrong-key)', async () => {
    const s = setup();
    const plaintext = encodeJoinRequest({ ...await fieldsFor(s), hostRoomPublicKey: generateRoomKey().publicKey }, s.joinMacKey);
    expectError(() => openJoinRequest(s.host, s.joinMacKey, s.roomId, sealTo(plaintext, s.host.publicKey), s.participantId), VerificationError, Reason.wrongKey);
  });

  it('refuses a request from someone without the link secret (bad-link-secret)', async () => {
    const s = setup();
    const forged = await createJoinRequest({ ...s.input, joinMacKey: sodium().randombytes_buf(32) });
    expectError(() => openJoinRequest(s.host, s.joinMacKey, s.roomId, forged, s.participantId), VerificationError, Reason.badLinkSecret);
  });

  it('refuses a request whose room key is not signed by the stated identity (bad-signature)', async () => {
    const s = setup();
    const fields = { ...await fieldsFor(s), identityPublicKey: generateIdentity().publicKey };
    const sealed = sealTo(encodeJoinRequest(fields, s.joinMacKey), s.host.publicKey);
    expectError(() => openJoinRequest(s.host, s.joinMacKey, s.roomId, sealed, s.participantId), VerificationError, Reason.badSignature);
  });

  it('refuses a genuine request that arrives from another connection than the one that made it', async () => {
    const s = setup();
    const sealed = await createJoinRequest(s.input);
    expectError(() => openJoinRequest(s.host, s.joinMacKey, s.roomId, sealed, sodium().randombytes_buf(16)), VerificationError, Reason.wrongParticipant);
    expect(openJoinRequest(s.host, s.joinMacKey, s.roomId, sealed, s.participantId).displayName).toBe('Ana');
  });

  it('checks the MAC before the signature, so an outsider learns nothing from the order', async () => {
    const s = setup();
    const fields = { ...await fieldsFor(s), identityPublicKey: generateIdentity().publicKey };
    const sealed = sealTo(encodeJoinRequest(fields, sodium().randombytes_buf(32)), s.host.publicKey);
    expectError(() => openJoinRequest(s.host, s.joinMacKey, s.roomId, sealed, s.participantId), VerificationError, Reason.badLinkSecret);
  });

  it('refuses any single flipped bit anywhere in a sealed request with a typed error', async () => {
    const s = setup();
    const sealed = await createJoinRequest(s.input);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), (bit) => {
        const tampered = sealed.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        const error = thrown(() => openJoinRequest(s.host, s.joinMacKey, s.roomId, tampered, s.participantId));
        expect(error).toBeInstanceOf(SealroomCryptoError);
        expect(error.reason).toBe(Reason.authFailed);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any single flipped bit in the plaintext, even when re-sealed by the relay', async () => {
    const s = setup();
    const plaintext = encodeJoinRequest(await fieldsFor(s), s.joinMacKey);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: plaintext.length * 8 - 1 }), (bit) => {
        const tampered = plaintext.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        const error = thrown(() => openJoinRequest(s.host, s.joinMacKey, s.roomId, sealTo(tampered, s.host.publicKey), s.participantId));
        expect(error).toBeInstanceOf(SealroomCryptoError);
      }),
      { numRuns: 300 },
    );
  });
});
