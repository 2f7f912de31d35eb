import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const COMPONENTS = join(import.meta.dirname, '../../client/src/components');
const FILES = [...readdirSync(COMPONENTS).filter((f) => f.endsWith('.svelte')).map((f) => join(COMPONENTS, f)), join(COMPONENTS, '../App.svelte')];

/** Text a person would read that is written into a component's markup instead of coming from a catalogue. */
function literals(source: string): string[] {
  const markup = source
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\{[^{}]*(\{[^{}]*\}[^{}]*)*\}/g, '');
  const found: string[] = [];
  for (const match of markup.matchAll(/>([^<>]*\p{L}[^<>]*)</gu)) found.push(match[1]!.trim());
  for (const match of markup.matchAll(/\b(aria-label|title|placeholder|label|alt)="([^"]*\p{L}[^"]*)"/gu)) found.push(`${match[1]}="${match[2]}"`);
  return found;
}

describe('components', () => {
  it('write no user-facing text of their own: every string comes from the catalogues', () => {
    const offenders = FILES.flatMap((file) => literals(readFileSync(file, 'utf8')).map((text) => `${file.split('/').at(-1)}: ${text}`));
    expect(offenders).toEqual([]);
  });

  it('would notice a literal (the check is not vacuous)', () => {
    expect(literals('<button aria-label="Close">Close</button><p>{t("x")}</p>')).toEqual(['Close', 'aria-label="Close"']);
  });
});
