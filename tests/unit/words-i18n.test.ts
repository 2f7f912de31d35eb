import { describe, expect, it } from 'vitest';
import { callCode } from '../../crypto/index';
import { WORDS } from '../../crypto/index';
import { WORDS_AR } from '../../crypto/index';
import { WORDS_FR } from '../../crypto/index';
import { callWords } from '../../client/src/lib/i18n/call-words';

const stripMarks = (word: string): string => word.normalize('NFD').replace(/\p{Mn}/gu, '');
/** Arabic letters that read alike in a list once vowels are gone: hamza seats, taa marbuta, alif maqsura. */
const arabicKey = (word: string): string => stripMarks(word).replace(/[أإآ]/g, 'ا').replace(/ة/g, 'ه').replace(/ى/g, 'ي').replace(/ؤ/g, 'و').replace(/ئ/g, 'ي');

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length] as number;
}

function closePairs(words: readonly string[], key: (w: string) => string): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < words.length; i++) for (let j = i + 1; j < words.length; j++) if (editDistance(key(words[i]!), key(words[j]!)) <= 1) pairs.push(`${words[i]}/${words[j]}`);
  return pairs;
}

describe('call code word lists in French and Arabic', () => {
  for (const [name, list, locale, letters] of [
    ['French', WORDS_FR, 'fr', /^[a-zàâçéèêëîïôûùüÿœæ]{3,12}$/],
    ['Arabic', WORDS_AR, 'ar', /^[\u0621-\u064A]{2,10}$/],
  ] as const) {
    it(`${name}: holds 256 distinct entries, one per byte value, like the English list`, () => {
      expect(list).toHaveLength(WORDS.length);
      expect(new Set(list).size).toBe(256);
    });

    it(`${name}: holds single plain words (no spaces, articles, digits or vowel marks)`, () => {
      expect(list.filter((w) => !letters.test(w))).toEqual([]);
    });

    it(`${name}: is sorted in the language's order and frozen`, () => {
      expect([...list].sort(new Intl.Collator(locale).compare)).toEqual([...list]);
      expect(Object.isFrozen(list)).toBe(true);
    });
  }

  it('French: no two words within one edit of each other once accents are removed', () => {
    expect(closePairs(WORDS_FR, stripMarks)).toEqual([]);
  });

  it('Arabic: no two words within one edit of each other once hamza seats and taa marbuta are normalised', () => {
    expect(closePairs(WORDS_AR, arabicKey)).toEqual([]);
  });

  it('finds a close pair when there is one (the check is not vacuous)', () => {
    expect(closePairs(['bateau', 'gâteau', 'lapin'], stripMarks)).toEqual(['bateau/gâteau']);
    expect(closePairs(['قمر', 'نمر'], arabicKey)).toEqual(['قمر/نمر']);
  });

  it('renders the same indexes in every language: only the spoken form changes, never the digits', () => {
    const code = callCode(new Uint8Array(32).fill(7));
    expect(callWords(code.indexes, 'en')).toEqual(code.words);
    expect(callWords(code.indexes, 'fr')).toEqual(code.indexes.map((i) => WORDS_FR[i]));
    expect(callWords(code.indexes, 'ar')).toEqual(code.indexes.map((i) => WORDS_AR[i]));
  });

  it('pins the rendering of a few indexes, so re-sorting a list fails a test instead of changing what people say', () => {
    expect(callWords([0, 1, 128, 255], 'fr')).toEqual(['abeille', 'abricot', 'hérisson', 'zèbre']);
    expect(callWords([0, 128, 255], 'ar')).toEqual(['إبرة', 'صخرة', 'يخت']);
  });

  it('refuses an index outside the lists', () => {
    expect(() => callWords([256], 'fr')).toThrow(RangeError);
    expect(() => callWords([-1], 'ar')).toThrow(/outside 0-255/);
  });
});
