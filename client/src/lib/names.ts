// Display names as people type them, as they are shown, and as they are compared.
//   - cleanName: crypto/'s one canonical form (the same rule every join request and commit is
//     decoded with), never empty;
//   - nameSkeletons / looksAlike: what a name looks like, for the key-changed and look-alike checks (decision
//     0015): Unicode TR39's confusable skeleton, on top of Arabic/Persian folding and any case.
// The skeleton lives here and not in crypto/ because its data is a package (unhomoglyph: Unicode's
// confusables.txt as JSON, MIT), and crypto/ depends on libsodium and WebCrypto only. A skeleton is
// never shown: "m" and "rn" share one ("rn").
import PROTOTYPES from 'unhomoglyph/data.json';
import { canonicalLength, canonicalName, MAX_NAME_CHARS } from '../../../crypto/index';

/**
 * What the name field takes (UTF-16 units): more than a name may hold, so that a name one letter
 * too long is typed or pasted whole and gets a clear error (nameTooLong) instead of being cut.
 */
export const MAX_NAME_INPUT = 4 * MAX_NAME_CHARS;
const FALLBACK_NAME = 'Guest';

export function cleanName(raw: string): string {
  const name = canonicalName(raw);
  return name.length > 0 ? name : FALLBACK_NAME;
}

/** Why what was typed cannot be a name as it is (too long), or undefined when it can. */
export function nameTooLong(raw: string): { readonly count: number; readonly max: number } | undefined {
  const count = canonicalLength(raw);
  return count > MAX_NAME_CHARS ? { count, max: MAX_NAME_CHARS } : undefined;
}

/** Up to two initials for an avatar. */
export function initials(name: string): string {
  const parts = name.split(' ').filter((p) => p.length > 0);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : [parts[0]];
  return letters.map((p) => [...(p ?? '')][0] ?? '').join('').toUpperCase() || '?';
}

// --- look-alikes

const PROTOTYPE: Readonly<Record<string, string>> = PROTOTYPES;

/**
 * Arabic and Persian letters that one reader takes for another, each to one form. After NFD the
 * hamza and madda marks are separate characters (removed with the other marks below), so أ إ آ
 * fold to ا, ؤ to و and ئ to ي.
 */
const ARABIC_LETTERS: Readonly<Record<string, string>> = {
  '\u06A9': '\u0643', // keheh -> kaf
  '\u06CC': '\u064A', // Farsi yeh -> yeh
  '\u0649': '\u064A', // alef maksura -> yeh
  '\u0671': '\u0627', // alef wasla -> alef
  '\u0629': '\u0647', // taa marbuta -> heh
  '\u06BE': '\u0647', // heh doachashmee -> heh
  '\u06C1': '\u0647', // heh goal -> heh
  '\u06D5': '\u0647', // ae -> heh
};
/** Short vowels, shadda, sukun, hamza and madda above or below, Quranic marks, and the tatweel. */
const ARABIC_MARKS = /[\u0610-\u061A\u0640\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E8\u06EA-\u06ED]/gu;
/** Arabic-Indic (U+0660..) and extended Arabic-Indic (U+06F0..) digits -> 0-9. */
const ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/gu;

function foldArabic(text: string): string {
  return text
    .normalize('NFD')
    .replace(ARABIC_MARKS, '')
    .replace(ARABIC_DIGITS, (d) => String((d.codePointAt(0) as number) & 0xf))
    .replace(/./gsu, (c) => ARABIC_LETTERS[c] ?? c);
}

/** TR39 skeleton(X) = NFD(each character of NFD(X) replaced by its prototype). */
function tr39(text: string): string {
  return [...text.normalize('NFD')].map((c) => PROTOTYPE[c] ?? c).join('').normalize('NFD');
}

/**
 * What `name` looks like: its canonical form with compatibility forms folded (NFKC), Arabic and
 * Persian variants folded, then TR39's confusable prototypes, in any case. TR39 is case-sensitive
 * ("I" looks like "l", "i" does not), so a name has two skeletons: the prototypes of what was typed,
 * and those of its lower case ("ALICE" is "Alice" only after lowering). Two names whose skeletons
 * meet can pass for each other on screen.
 */
export function nameSkeletons(name: string): readonly [string, string] {
  const folded = foldArabic(canonicalName(name).normalize('NFKC'));
  return [tr39(tr39(folded).toLowerCase()).toLowerCase(), tr39(folded.toLowerCase()).toLowerCase()];
}

/** True when the two names can pass for each other on screen (a skeleton of one is a skeleton of the other). */
export function looksAlike(a: string, b: string): boolean {
  return skeletonsMeet(nameSkeletons(a), nameSkeletons(b));
}

/** looksAlike for skeletons computed once (nameSkeletons). */
export function skeletonsMeet(a: readonly string[], b: readonly string[]): boolean {
  return a.some((s) => b.includes(s));
}
