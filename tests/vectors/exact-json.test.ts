import { describe, expect, it } from 'vitest';
import { parseJsonExact } from './exact-json';
import { loadWgVectors } from './wg-vectors';

describe('exact JSON parsing of vector files', () => {
  it('keeps integers above 2^53 exact, where JSON.parse rounds them', () => {
    const text = '{"kid": 18446744073709551615, "ctr": 72057594037927935}';
    expect(parseJsonExact(text)).toEqual({ kid: 18446744073709551615n, ctr: 72057594037927935n });
    expect(BigInt((JSON.parse(text) as { kid: number }).kid)).not.toBe(18446744073709551615n);
  });

  it('leaves digits inside strings alone, escaped quotes included', () => {
    expect(parseJsonExact('{"a": "12\\"34", "b": [0, -7]}')).toEqual({ a: '12"34', b: [0n, -7n] });
  });

  it('refuses numbers that are not integers rather than rounding them', () => {
    expect(() => parseJsonExact('{"x": 1.5}')).toThrow(/non-integer/);
    expect(() => parseJsonExact('{"x": 1e3}')).toThrow(/non-integer/);
  });

  it('reports a missing vector file as absent instead of failing', () => {
    expect(loadWgVectors('/nonexistent/sframe-rfc9605.json')).toBeUndefined();
  });
});
