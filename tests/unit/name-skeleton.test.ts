// [N3] What a name looks like (client/src/lib/names.ts): TR39 confusable skeletons with Arabic and
// Persian folding, the comparison behind the key-changed check (contacts.ts) and the knock flags.
import { describe, expect, it } from 'vitest';
import { contactStatus, sameName } from '../../client/src/lib/e2ee/contacts';
import { looksAlike, nameSkeletons } from '../../client/src/lib/names';

describe('[N3] name skeletons', () => {
  it('match fixed vectors', () => {
    expect(nameSkeletons('Alice')).toEqual(['alice', 'alice']);
    expect(nameSkeletons('\u0410lice')).toEqual(['alice', 'alice']); // Cyrillic А
    expect(nameSkeletons('AIice')).toEqual(['alice', 'aiice']); // capital I: TR39's "l"
    expect(nameSkeletons('ALICE')).toEqual(['allce', 'alice']);
    expect(nameSkeletons('m')).toEqual(['rn', 'rn']);
    expect(nameSkeletons('کریم')).toEqual(['\u0643\u0631\u0649\u0645', '\u0643\u0631\u0649\u0645']); // keheh -> kaf, yeh -> TR39's dotless form
    expect(nameSkeletons('مـحـمـد')).toEqual(['محمد', 'محمد']); // tatweel removed
    expect(nameSkeletons('Ali ٢')).toEqual(['ali 2', 'ali 2']); // Arabic-Indic digit
  });

  const SAME: [string, string, string][] = [
    ['a Cyrillic А', '\u0410lice', 'Alice'],
    ['a Greek omicron', 'B\u03BFb', 'Bob'],
    ['a zero-width space', 'Ali\u200Bce', 'Alice'],
    ['a zero-width non-joiner', 'Ali\u200Cce', 'Alice'],
    ['a right-to-left override', '\u202EAlice', 'Alice'],
    ['full-width letters', 'Ａｌｉｃｅ', 'Alice'],
    ['another case', 'aLiCe', 'Alice'],
    ['rn for m', 'Srnith', 'Smith'],
    ['keheh for kaf', 'کمال', 'كمال'],
    ['Farsi yeh for yeh', 'علی', 'علي'],
    ['alef maksura for yeh', 'على', 'علي'],
    ['tatweel', 'عـلـي', 'علي'],
    ['hamza above the alef', 'أحمد', 'احمد'],
    ['hamza below the alef', 'إيمان', 'ايمان'],
    ['madda', 'آمنة', 'امنة'],
    ['taa marbuta for heh', 'فاطمة', 'فاطمه'],
    ['short vowels', 'عَلِيّ', 'علي'],
    ['Arabic-Indic digits', 'سارة ٢', 'سارة 2'],
    ['extended (Persian) digits', 'سارة ۲', 'سارة 2'],
    ['Arabic presentation forms', '\uFEDF\uFEE0\uFEEA', 'لله'],
  ];

  it.each(SAME)('%s looks alike', (_what, a, b) => {
    expect(looksAlike(a, b)).toBe(true);
    expect(sameName(a, b)).toBe(true);
  });

  const DIFFERENT: [string, string][] = [
    ['Alice', 'Alicia'],
    ['Ann', 'Anne'],
    ['José', 'Jose'],
    ['علي', 'على كريم'],
    ['كريم', 'مريم'],
    ['Ann Lee', 'AnnLee'],
  ];

  it.each(DIFFERENT)('%s and %s do not', (a, b) => {
    expect(looksAlike(a, b)).toBe(false);
  });

  it('make the key-changed check catch a contact’s name spelled with look-alike letters', () => {
    const alice = { identityKey: 'A'.repeat(43), name: 'Alice', verifiedAt: 1 };
    const karim = { identityKey: 'K'.repeat(43), name: 'كريم', verifiedAt: 1 };
    for (const spoof of ['\u0410lice', 'Ali\u200Bce', 'ALICE']) expect(contactStatus({ name: spoof, identityKey: 'B'.repeat(43) }, [alice])).toEqual({ kind: 'key-changed', contact: alice });
    for (const spoof of ['کریم', 'كـريـم', 'كريـم']) expect(contactStatus({ name: spoof, identityKey: 'B'.repeat(43) }, [karim])).toEqual({ kind: 'key-changed', contact: karim });
  });
});
