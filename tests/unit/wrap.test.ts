import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8, CodecError, Reason, VerificationError, VersionError, Label, sodium, WRAP_VERSION, unwrap, wrap } from '../../crypto/index';
import { expectError } from '../scenario/errors';

const key = () => sodium().randombytes_buf(32);
const context = utf8('room and epoch');

describe('wrap', () => {
  it('round-trips any plaintext', () => {
    const k = key();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (plaintext) => {
        expect(unwrap(k, Label.roomInfoKey, context, wrap(k, Label.roomInfoKey, context, plaintext))).toEqual(plaintext);
      }),
    );
  });

  it('starts with its version byte and uses a fresh nonce each time', () => {
    const k = key();
    const a = wrap(k, Label.roomInfoKey, context, utf8('same'));
    const b = wrap(k, Label.roomInfoKey, context, utf8('same'));
    expect(a[0]).toBe(WRAP_VERSION);
    expect(a).not.toEqual(b);
  });

  it('refuses any single flipped bit after the version byte', () => {
    const k = key();
    const wrapped = wrap(k, Label.roomInfoKey, context, utf8('the meeting is at noon'));
    fc.assert(
      fc.property(fc.integer({ min: 8, max: wrapped.length * 8 - 1 }), (bit) => {
        const tampered = wrapped.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        expectError(() => unwrap(k, Label.roomInfoKey, context, tampered), VerificationError, Reason.authFailed);
      }),
    );
  });

  it('refuses the wrong key, the wrong label and the wrong context', () => {
    const k = key();
    const wrapped = wrap(k, Label.roomInfoKey, context, utf8('x'));
    expectError(() => unwrap(key(), Label.roomInfoKey, context, wrapped), VerificationError, Reason.authFailed);
    expectError(() => unwrap(k, Label.lobbyKey, context, wrapped), VerificationError, Reason.authFailed);
    expectError(() => unwrap(k, Label.roomInfoKey, utf8('room and epocH'), wrapped), VerificationError, Reason.authFailed);
  });

  it('refuses an unknown version, a message too short for its tag, and a truncated nonce', () => {
    const k = key();
    const wrapped = wrap(k, Label.roomInfoKey, context, utf8('x'));
    const v2 = wrapped.slice();
    v2[0] = 2;
    expectError(() => unwrap(k, Label.roomInfoKey, context, v2), VersionError, Reason.unknownVersion);
    expectError(() => unwrap(k, Label.roomInfoKey, context, wrapped.subarray(0, 1 + 24 + 15)), VerificationError, Reason.authFailed);
    expectError(() => unwrap(k, Label.roomInfoKey, context, wrapped.subarray(0, 10)), CodecError, Reason.truncated);
  });

  it('refuses a key of the wrong length', () => {
    expectError(() => wrap(new Uint8Array(16), Label.roomInfoKey, context, utf8('x')), CodecError, Reason.malformed);
  });
});
