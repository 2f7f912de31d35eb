// Knock codes (crypto/knock-code.ts): fixed vectors, computed outside this code base from the
// documented construction (BLAKE2b-256 of u16 len || label || u8 1 || roomId || identity || room key,
// first 5 bytes big-endian mod 10^6), and what changes the code.
import { describe, expect, it } from 'vitest';
import { CodecError, KNOCK_CODE_DIGITS, knockCode } from '../../crypto/index';

const fill = (n: number, byte: number) => new Uint8Array(n).fill(byte);
const run = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => from + i);

describe('knock codes', () => {
  it('match the fixed vectors', () => {
    expect(knockCode(fill(16, 1), fill(32, 2), fill(32, 3))).toBe('898 484');
    expect(knockCode(run(0, 16), run(32, 32), run(64, 32))).toBe('200 197');
    expect(knockCode(fill(16, 1), fill(32, 2), fill(32, 4))).toBe('954 282');
  });

  it('are six Western digits in two groups', () => {
    expect(KNOCK_CODE_DIGITS).toBe(6);
    expect(knockCode(fill(16, 9), fill(32, 9), fill(32, 9))).toMatch(/^[0-9]{3} [0-9]{3}$/);
  });

  it('change with the room, the identity key and the room key', () => {
    const base = knockCode(fill(16, 1), fill(32, 2), fill(32, 3));
    expect(knockCode(fill(16, 5), fill(32, 2), fill(32, 3))).not.toBe(base);
    expect(knockCode(fill(16, 1), fill(32, 5), fill(32, 3))).not.toBe(base);
    expect(knockCode(fill(16, 1), fill(32, 2), fill(32, 5))).not.toBe(base);
  });

  it('refuse keys of the wrong length with a typed error', () => {
    expect(() => knockCode(fill(15, 1), fill(32, 2), fill(32, 3))).toThrow(CodecError);
    expect(() => knockCode(fill(16, 1), fill(31, 2), fill(32, 3))).toThrow(CodecError);
    expect(() => knockCode(fill(16, 1), fill(32, 2), fill(33, 3))).toThrow(CodecError);
  });
});
