import { describe, expect, it } from 'vitest';
import { WORDS } from '../../crypto/index';

describe('word list', () => {
  it('holds 256 distinct entries, one per byte value', () => {
    expect(WORDS).toHaveLength(256);
    expect(new Set(WORDS).size).toBe(256);
  });

  it('holds plain lowercase words of 3 to 8 letters', () => {
    for (const word of WORDS) expect(word).toMatch(/^[a-z]{3,8}$/);
  });

  it('has no two words sharing their first three letters', () => {
    const prefixes = new Map<string, string>();
    const clashes: string[] = [];
    for (const word of WORDS) {
      const prefix = word.slice(0, 3);
      const earlier = prefixes.get(prefix);
      if (earlier !== undefined) clashes.push(`${earlier}/${word}`);
      prefixes.set(prefix, word);
    }
    expect(clashes).toEqual([]);
  });

  it('is sorted, so a reader can look a word up', () => {
    expect([...WORDS].sort()).toEqual([...WORDS]);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(WORDS)).toBe(true);
  });
});
