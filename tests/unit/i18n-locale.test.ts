import { describe, expect, it } from 'vitest';
import { CATALOGUES } from '../../client/src/lib/i18n/catalogues';
import { Formatter, isolate, render } from '../../client/src/lib/i18n/format';
import { list, message } from '../../client/src/lib/i18n/message';
import { DIRECTION, chooseLocale, negotiate } from '../../client/src/lib/i18n/locales';

describe('language choice', () => {
  it('takes the first of the browser languages Sealroom speaks, regional variants included', () => {
    expect(negotiate(['ar-MA', 'fr-FR', 'en'])).toBe('ar');
    expect(negotiate(['de-DE', 'fr-CA'])).toBe('fr');
    expect(negotiate(['FR_be'])).toBe('fr');
    expect(negotiate(['en-GB', 'ar'])).toBe('en');
  });

  it('falls back to English when none matches or the list is empty', () => {
    expect(negotiate(['de', 'ja'])).toBe('en');
    expect(negotiate([])).toBe('en');
  });

  it('lets a remembered choice win, and ignores a stored value that is not a language', () => {
    expect(chooseLocale('fr', ['ar'])).toBe('fr');
    expect(chooseLocale('klingon', ['ar'])).toBe('ar');
    expect(chooseLocale(null, ['fr-FR'])).toBe('fr');
  });

  it('writes Arabic right to left and the others left to right', () => {
    expect(DIRECTION).toEqual({ en: 'ltr', fr: 'ltr', ar: 'rtl' });
  });
});

describe('formatting', () => {
  it('fills placeholders and plural forms in each language', () => {
    expect(new Formatter('en', CATALOGUES.en).format('call.headerCount', { count: 1 })).toBe('1 person in the call');
    expect(new Formatter('fr', CATALOGUES.fr).format('call.headerCount', { count: 3 })).toBe('3 personnes dans l’appel');
    expect(new Formatter('ar', CATALOGUES.ar).format('call.headerCount', { count: 2 })).toBe('شخصان في المكالمة');
  });

  it('isolates names in a right-to-left page, and right-to-left names anywhere', () => {
    expect(isolate('Bob', 'en')).toBe('Bob');
    expect(isolate('Bob', 'ar')).toBe('\u2068Bob\u2069');
    expect(isolate('سارة', 'fr')).toBe('\u2068سارة\u2069');
    expect(new Formatter('ar', CATALOGUES.ar).format('knocks.admitLabel', { name: 'Bob!' })).toBe('قبول \u2068Bob!\u2069');
  });

  it('renders a Message whose values are Messages or lists, in the formatter language', () => {
    const problem = message('media.cannotUse', { devices: 'both', reason: message('media.reason.denied') });
    expect(render(problem, new Formatter('en', CATALOGUES.en))).toBe('Could not use your camera or microphone (permission was denied).');
    expect(render(problem, new Formatter('fr', CATALOGUES.fr))).toBe('Impossible d’utiliser votre caméra et votre micro (l’autorisation a été refusée).');
    const joined = message('change.joined', { count: 2, names: list(['Bob', 'Carol']) });
    expect(render(joined, new Formatter('fr', CATALOGUES.fr))).toBe('Bob et Carol ont rejoint l’appel');
  });
});
