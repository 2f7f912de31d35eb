// The page's language: chosen from navigator.languages unless the person picked one (remembered in
// localStorage), mirrored onto <html lang dir>, and the `t` every component renders strings with.
import { CATALOGUES } from './catalogues';
import { type MessageId } from './catalogues/en';
import { Formatter, render, type Values } from './format';
import { type Message } from './message';
import { DIRECTION, INTL_TAG, chooseLocale, type Locale } from './locales';

const LOCALE_KEY = 'sealroom.locale';

class I18n {
  #formatter = $state.raw<Formatter>(new Formatter('en', CATALOGUES.en));

  get locale(): Locale {
    return this.#formatter.locale;
  }

  /** The tag Intl (dates, relative times, numbers) should use for the current language. */
  get intlTag(): string {
    return INTL_TAG[this.locale];
  }

  get dir(): 'ltr' | 'rtl' {
    return DIRECTION[this.locale];
  }

  /** Picks the language at start: a remembered choice, else the browser's languages. */
  start(): void {
    this.apply(chooseLocale(readStored(), typeof navigator === 'undefined' ? [] : navigator.languages));
  }

  /** The person's choice in the picker: applied now and remembered for next time. */
  choose(locale: Locale): void {
    try {
      localStorage.setItem(LOCALE_KEY, locale);
    } catch {
      // Storage may be off (private mode); the choice still holds for this page.
    }
    this.apply(locale);
  }

  t(id: MessageId, values?: Values): string {
    return this.#formatter.format(id, values);
  }

  render(m: Message): string {
    return render(m, this.#formatter);
  }

  apply(locale: Locale): void {
    if (locale !== this.locale) this.#formatter = new Formatter(locale, CATALOGUES[locale]);
    if (typeof document !== 'undefined') {
      document.documentElement.lang = locale;
      document.documentElement.dir = DIRECTION[locale];
    }
  }
}

function readStored(): string | null {
  try {
    return localStorage.getItem(LOCALE_KEY);
  } catch {
    return null;
  }
}

export const i18n = new I18n();

/** A catalogue string in the page's language. */
export const t = (id: MessageId, values?: Values): string => i18n.t(id, values);

/** A Message from the app's logic, in the page's language. */
export const tm = (m: Message): string => i18n.render(m);
