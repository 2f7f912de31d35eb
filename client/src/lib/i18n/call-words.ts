// The call security code's words in the page's language. The indexes come from crypto's callCode
// and are the same on every screen; each language only renders them with its own 256-word list, so
// two members reading in different languages compare the digits (SECURITY.md, "Call security code").
import { WORDS } from '../../../../crypto/index';
import { WORDS_AR } from '../../../../crypto/index';
import { WORDS_FR } from '../../../../crypto/index';
import { type Locale } from './locales';

const LISTS: Readonly<Record<Locale, readonly string[]>> = { en: WORDS, fr: WORDS_FR, ar: WORDS_AR };

export function callWords(indexes: readonly number[], locale: Locale): string[] {
  return indexes.map((index) => {
    const word = LISTS[locale][index];
    if (word === undefined) throw new RangeError(`call code word index ${index} is outside 0-255`);
    return word;
  });
}
