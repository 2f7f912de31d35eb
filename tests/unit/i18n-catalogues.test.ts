import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { CATALOGUES } from '../../client/src/lib/i18n/catalogues';
import { en, type MessageId } from '../../client/src/lib/i18n/catalogues/en';
import { INTL_TAG, LOCALES } from '../../client/src/lib/i18n/locales';

// intl-messageformat's AST: literal 0, argument 1, number 2, date 3, time 4, select 5, plural 6, pound 7, tag 8.
interface Element {
  type: number;
  value?: unknown;
  options?: Record<string, { value: Element[] }>;
  children?: Element[];
}

function walk(ast: Element[], visit: (element: Element) => void): void {
  for (const element of ast) {
    visit(element);
    for (const option of Object.values(element.options ?? {})) walk(option.value, visit);
    if (element.children) walk(element.children, visit);
  }
}

function placeholders(text: string, tag: string): Set<string> {
  const names = new Set<string>();
  walk(new IntlMessageFormat(text, tag).getAst() as Element[], (e) => {
    if (e.type >= 1 && e.type <= 6 && typeof e.value === 'string') names.add(e.value);
  });
  return names;
}

const ids = Object.keys(en) as MessageId[];

describe('message catalogues', () => {
  for (const locale of LOCALES) {
    const catalogue = CATALOGUES[locale];

    it(`${locale}: has exactly the English ids`, () => {
      expect(Object.keys(catalogue).sort()).toEqual([...ids].sort());
    });

    it(`${locale}: every message is valid ICU MessageFormat with the English placeholders`, () => {
      const wrong: string[] = [];
      for (const id of ids) {
        const mine = [...placeholders(catalogue[id], INTL_TAG[locale])].sort();
        const reference = [...placeholders(en[id], 'en')].sort();
        if (mine.join() !== reference.join()) wrong.push(`${id}: [${mine.join()}] vs [${reference.join()}]`);
      }
      expect(wrong).toEqual([]);
    });

    it(`${locale}: no message is left empty or identical to English by mistake`, () => {
      const copied = ids.filter((id) => locale !== 'en' && catalogue[id] === en[id] && !/^\{[^}]*\}$|^Sealroom$|^Description$|^Messages$|^Participants$|\{count, number\} \{reason\}$/.test(en[id]));
      expect(ids.filter((id) => catalogue[id].trim() === '')).toEqual([]);
      expect(copied).toEqual([]);
    });
  }

  it('ar: every plural that shows its number has the six Arabic forms', () => {
    const missing: string[] = [];
    for (const id of ids) {
      walk(new IntlMessageFormat(CATALOGUES.ar[id], INTL_TAG.ar).getAst() as Element[], (e) => {
        if (e.type !== 6 || !e.options) return;
        let pound = false;
        for (const option of Object.values(e.options)) walk(option.value, (inner) => (pound ||= inner.type === 7));
        const forms = Object.keys(e.options).sort().join();
        if (pound && forms !== 'few,many,one,other,two,zero') missing.push(`${id}: ${forms}`);
      });
    }
    expect(missing).toEqual([]);
  });

  it('ar: formats counts with the right plural form and Western digits', () => {
    const count = (n: number) => new IntlMessageFormat(CATALOGUES.ar['call.headerCount'], INTL_TAG.ar).format({ count: n });
    expect(count(1)).toBe('شخص واحد في المكالمة');
    expect(count(2)).toBe('شخصان في المكالمة');
    expect(count(3)).toBe('3 أشخاص في المكالمة');
    expect(count(11)).toBe('11 شخصًا في المكالمة');
    expect(count(100)).toBe('100 شخص في المكالمة');
  });

  it('refuses a message that is not valid ICU syntax', () => {
    expect(() => new IntlMessageFormat('{count, plural, one {x}', 'en')).toThrow();
  });
});
