// ICU MessageFormat through intl-messageformat: it parses each message into a tree once and then
// formats by walking it, with no eval or new Function (the page's CSP forbids 'unsafe-eval').
// Plural forms come from Intl.PluralRules, so Arabic gets its six (zero, one, two, few, many, other).
import { IntlMessageFormat } from 'intl-messageformat';
import { type Catalogue, type MessageId } from './catalogues/en';
import { DIRECTION, INTL_TAG, type Locale } from './locales';
import { type Message, type MessageValue } from './message';

export type Values = Readonly<Record<string, string | number>>;

/** First-strong isolate and pop directional isolate: the plain-text form of <bdi>. */
const FSI = '\u2068';
const PDI = '\u2069';
const RTL_CHAR = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;

/**
 * A value (a person's name, a room title) set inside a sentence is isolated so its own direction
 * cannot reorder the words around it. In a left-to-right language a value with no right-to-left
 * letter cannot do that and is left as it is.
 */
export function isolate(value: string, locale: Locale): string {
  return DIRECTION[locale] === 'ltr' && !RTL_CHAR.test(value) ? value : `${FSI}${value}${PDI}`;
}

export class Formatter {
  readonly #cache = new Map<string, IntlMessageFormat>();

  constructor(
    readonly locale: Locale,
    private readonly catalogue: Catalogue,
  ) {}

  format(id: MessageId, values?: Values): string {
    let compiled = this.#cache.get(id);
    if (compiled === undefined) {
      compiled = new IntlMessageFormat(this.catalogue[id], INTL_TAG[this.locale]);
      this.#cache.set(id, compiled);
    }
    if (values === undefined) return String(compiled.format());
    const isolated: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(values)) isolated[name] = typeof value === 'string' ? isolate(value, this.locale) : value;
    return String(compiled.format(isolated));
  }
}

/** A Message in the formatter's language: nested Messages and lists rendered first. */
export function render(m: Message, formatter: Formatter): string {
  if (m.values === undefined) return formatter.format(m.id);
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(m.values)) values[name] = renderValue(value, formatter);
  return formatter.format(m.id, values);
}

function renderValue(value: MessageValue, formatter: Formatter): string | number {
  if (typeof value !== 'object') return value;
  if ('list' in value) {
    const items = value.list.map((item) => (typeof item === 'string' ? isolate(item, formatter.locale) : String(renderValue(item, formatter))));
    return new Intl.ListFormat(INTL_TAG[formatter.locale], { type: 'conjunction' }).format(items);
  }
  return render(value, formatter);
}
