import { describe, expect, it } from 'vitest';
import { CATALOGUES } from '../../client/src/lib/i18n/catalogues';
import { Formatter, render } from '../../client/src/lib/i18n/format';
import { INTL_TAG, type Locale } from '../../client/src/lib/i18n/locales';
import { startTime, startsIn } from '../../client/src/lib/starts-in';

const MIN = 60_000;
const say = (locale: Locale, startsAt: number, now: number): string => {
  return render(startsIn(startsAt, now, INTL_TAG[locale]), new Formatter(locale, CATALOGUES[locale]));
};

describe('starts in', () => {
  it('says how long until a scheduled start, in the largest sensible unit', () => {
    expect(say('en', 25 * MIN, 0)).toBe('Starts in 25 minutes');
    expect(say('en', 1 * MIN, 0)).toBe('Starts in 1 minute');
    expect(say('en', 90 * MIN, 0)).toBe('Starts in 2 hours');
    expect(say('en', 3 * 24 * 60 * MIN, 0)).toBe('Starts in 3 days');
  });

  it('says now around the start, and how long ago after it', () => {
    expect(say('en', 10_000, 0)).toBe('Starting now');
    expect(say('en', 0, 30 * MIN)).toBe('Started 30 minutes ago');
  });

  it('speaks French and Arabic through Intl, Arabic with its dual and Western digits', () => {
    expect(say('fr', 25 * MIN, 0)).toBe('Commence dans 25 minutes');
    expect(say('fr', 0, 30 * MIN)).toBe('A commencé il y a 30 minutes');
    expect(say('ar', 25 * MIN, 0)).toBe('تبدأ \u2068خلال 25 دقيقة\u2069');
    expect(say('ar', 2 * MIN, 0)).toBe('تبدأ \u2068خلال دقيقتين\u2069');
  });

  it('writes the start time in the language, Arabic with Western digits', () => {
    const at = Date.UTC(2026, 11, 1, 18, 30);
    expect(startTime(at, INTL_TAG.fr)).toMatch(/2026/);
    expect(startTime(at, INTL_TAG.ar)).toMatch(/2026/);
    expect(startTime(at, INTL_TAG.ar)).not.toMatch(/[\u0660-\u0669]/);
  });
});
