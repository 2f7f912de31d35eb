import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  Reason,
  VersionError,
  generateIdentity,
  kdf,
  Label,
  callCode,
  decodeSafetyNumberBytes,
  matchesScannedSafetyNumber,
  safetyNumber,
  safetyNumberBytes,
  sodium,
  WORDS,
} from '../../crypto/index';
import { expectError } from '../scenario/errors';

/** The documented construction, written again on node:crypto's SHA-512 (independent of libsodium). */
function referenceHalf(key: Uint8Array): string {
  let h = createHash('sha512').update(Uint8Array.of(0, 1)).update(key).update(Label.safetyNumber).digest();
  for (let i = 0; i < 5200; i++) h = createHash('sha512').update(h).update(key).digest();
  let digits = '';
  for (let i = 0; i < 30; i += 5) digits += String(h.readUIntBE(i, 5) % 100000).padStart(5, '0');
  return digits;
}

describe('safety number', () => {
  const a = generateIdentity().publicKey;
  const b = generateIdentity().publicKey;

  it('is 60 digits in 12 groups of 5, separated by single spaces', () => {
    expect(safetyNumber(a, b)).toMatch(/^\d{5}( \d{5}){11}$/);
  });

  it('is the same whichever side computes it', () => {
    expect(safetyNumber(a, b)).toBe(safetyNumber(b, a));
  });

  it('is stable across calls and copies of the keys', () => {
    expect(safetyNumber(a, b)).toBe(safetyNumber(a.slice(), b.slice()));
  });

  it('matches an independent implementation of the versioned, iterated SHA-512 construction', () => {
    const halves = [referenceHalf(a), referenceHalf(b)].sort();
    expect(safetyNumber(a, b).replaceAll(' ', '')).toBe(halves.join(''));
  });

  it('changes when either key changes', () => {
    const c = generateIdentity().publicKey;
    expect(safetyNumber(a, c)).not.toBe(safetyNumber(a, b));
    expect(safetyNumber(c, b)).not.toBe(safetyNumber(a, b));
  });

  it('refuses keys of the wrong length', () => {
    expectError(() => safetyNumber(a, b.subarray(1)), CodecError, Reason.malformed);
  });
});

describe('scannable safety number', () => {
  const a = generateIdentity().publicKey;
  const b = generateIdentity().publicKey;

  it('is versioned, 61 bytes, and the same from both sides', () => {
    const bytes = safetyNumberBytes(a, b);
    expect(bytes.length).toBe(61);
    expect(bytes[0]).toBe(1);
    expect(bytes).toEqual(safetyNumberBytes(b, a));
    expect(decodeSafetyNumberBytes(bytes).halves[0]).toEqual(bytes.subarray(1, 31));
  });

  it('matches the scanning side only for the same pair of keys', () => {
    expect(matchesScannedSafetyNumber(b, a, safetyNumberBytes(a, b))).toBe(true);
    expect(matchesScannedSafetyNumber(a, generateIdentity().publicKey, safetyNumberBytes(a, b))).toBe(false);
  });

  it('refuses unknown versions, truncation and trailing bytes', () => {
    const bytes = safetyNumberBytes(a, b);
    expectError(() => decodeSafetyNumberBytes(Uint8Array.of(2, ...bytes.subarray(1))), VersionError, Reason.unknownVersion);
    expectError(() => decodeSafetyNumberBytes(bytes.subarray(0, 60)), CodecError, Reason.truncated);
    expectError(() => matchesScannedSafetyNumber(a, b, Uint8Array.of(...bytes, 0)), CodecError, Reason.trailingBytes);
  });
});

describe('call security code', () => {
  const hash = sodium().randombytes_buf(32);

  it('is 30 digits in 6 groups of 5 and 6 words from the list', () => {
    const code = callCode(hash);
    expect(code.digits).toMatch(/^\d{5}( \d{5}){5}$/);
    expect(code.words).toHaveLength(6);
    for (const w of code.words) expect(WORDS).toContain(w);
  });

  it('reads its digits and words from the documented derivation', () => {
    const b = kdf(hash, Label.callCode, Uint8Array.of(1), 36);
    const view = Buffer.from(b);
    const digits = [0, 5, 10, 15, 20, 25].map((i) => String(view.readUIntBE(i, 5) % 100000).padStart(5, '0')).join(' ');
    expect(callCode(hash)).toEqual({ digits, words: [...b.subarray(30)].map((x) => WORDS[x]), indexes: [...b.subarray(30)] });
  });

  it('is a function of the commit hash alone, and changes with it', () => {
    expect(callCode(hash.slice())).toEqual(callCode(hash));
    const other = hash.slice();
    other[31] = (other[31] as number) ^ 1;
    expect(callCode(other).digits).not.toBe(callCode(hash).digits);
  });

  it('refuses a hash of the wrong length', () => {
    expectError(() => callCode(hash.subarray(0, 31)), CodecError, Reason.malformed);
  });
});
