// The languages Sealroom speaks, their writing direction, and the choice of one from what the
// browser prefers (navigator.languages) or what the person picked before. Pure: no DOM, no storage.

export const LOCALES = ['en', 'fr', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

const DEFAULT_LOCALE: Locale = 'en';

export const DIRECTION: Readonly<Record<Locale, 'ltr' | 'rtl'>> = { en: 'ltr', fr: 'ltr', ar: 'rtl' };

/** Each language's name in itself, as the picker lists it. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', fr: 'Français', ar: 'العربية' };

/**
 * The BCP 47 tag given to Intl for each language. Arabic asks for Western digits (`nu-latn`):
 * codes, counts, dates and times then use the same 0-9 as the call code and safety numbers
 * (docs/decisions/0011-i18n.md says why).
 */
export const INTL_TAG: Readonly<Record<Locale, string>> = { en: 'en', fr: 'fr', ar: 'ar-u-nu-latn' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The first of the browser's languages Sealroom speaks ("fr-CA" counts as "fr"), else English. */
export function negotiate(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const base = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (isLocale(base)) return base;
  }
  return DEFAULT_LOCALE;
}

/** A remembered choice wins over the browser's languages; anything else stored is ignored. */
export function chooseLocale(stored: string | null | undefined, preferred: readonly string[]): Locale {
  return isLocale(stored) ? stored : negotiate(preferred);
}
