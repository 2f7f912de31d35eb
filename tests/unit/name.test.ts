// [N2] One name rule, where names are typed and wherever they are decoded (crypto/name.ts).
import { describe, expect, it } from 'vitest';
import { CodecError, MAX_NAME_CHARS, Reason, canonicalLength, canonicalName, decodeDisplayName, encodeDisplayName, utf8 } from '../../crypto/index';
import { cleanName, nameTooLong } from '../../client/src/lib/names';

const SPOOFS: [string, string][] = [
  ['a right-to-left override that renders as "Alice · host"', 'tsoh · \u202Ecila'],
  ['a zero-width space inside a known name', 'Ali\u200Bce'],
  ['a zero-width joiner', 'Bo\u200Db'],
  ['a bidi isolate around the name', '\u2067Alice\u2069'],
  ['a byte-order mark', '\uFEFFAlice'],
  ['a control character', 'Ali\u0007ce'],
  ['a decomposed é (NFD)', 'Rene\u0301'],
  ['two spaces in a row', 'Ann  Lee'],
  ['a leading space', ' Ann'],
  ['a line separator', 'Ann\u2028Lee'],
];

describe('[N2] display names', () => {
  it.each(SPOOFS)('refuses %s when a join request or commit carries it', (_what, spoof) => {
    expect(() => decodeDisplayName(utf8(spoof))).toThrow(CodecError);
    expect(() => encodeDisplayName(spoof)).toThrow(CodecError);
  });

  it.each(SPOOFS)('turns %s into a plain name where it is typed', (_what, spoof) => {
    const clean = canonicalName(spoof);
    expect(clean.length).toBeGreaterThan(0);
    expect(decodeDisplayName(encodeDisplayName(clean))).toBe(clean);
  });

  it('keeps ordinary names, Latin and Arabic, as they are', () => {
    for (const name of ['Alice', 'Ann Lee', 'René', 'فاطمة الزهراء', '李小龙', 'Zoë O’Brien']) expect(canonicalName(name)).toBe(name);
  });

  it('fits a 48-letter Arabic name, and counts the limit in characters on both sides', () => {
    const arabic = 'ب'.repeat(MAX_NAME_CHARS);
    expect(decodeDisplayName(encodeDisplayName(arabic))).toBe(arabic);
    expect(() => encodeDisplayName(`${arabic}ب`)).toThrow(expect.objectContaining({ reason: Reason.fieldTooLong }));
    expect([...cleanName(`${arabic}بببب`)].length).toBe(MAX_NAME_CHARS);
  });

  it('tells the lobby when what was typed is too long, counted as the wire counts it', () => {
    const arabic = 'ب'.repeat(MAX_NAME_CHARS);
    expect(nameTooLong(arabic)).toBeUndefined();
    expect(nameTooLong(`${arabic}\u200D`)).toBeUndefined(); // a hidden character the rule removes does not count
    expect(nameTooLong(`  ${arabic}  `)).toBeUndefined();
    expect(nameTooLong(`${arabic}ب`)).toEqual({ count: MAX_NAME_CHARS + 1, max: MAX_NAME_CHARS });
    expect(canonicalLength('Ann  Lee\u200B')).toBe(7);
  });

  it('never leaves an empty name where one is typed', () => {
    expect(cleanName('\u200B\u202E  ')).toBe('Guest');
  });
});
