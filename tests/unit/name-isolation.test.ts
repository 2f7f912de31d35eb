// [N4] Every member or knock name a component renders as text is isolated: inside a <bdi> (or an
// element with dir="auto"), so a right-to-left name cannot reorder what follows it ("· host").
// Names inside a translated sentence are isolated by the formatter (i18n/format.ts isolate), and
// attributes are not laid out, so this reads only the text mustaches of each component's markup.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const COMPONENTS = join(import.meta.dirname, '../../client/src/components');
const FILES = readdirSync(COMPONENTS).filter((f) => f.endsWith('.svelte'));

/** An expression that is a person's name: `name`, `x.name`, `nameOf(...)`. */
const NAME = /(^|[^\w.'"])name$|\.name$|\bnameOf\(/;
const ISOLATED = /(<bdi\b[^>]*>|<[a-z]+\b[^>]*\bdir="auto"[^>]*>)\s*$/;

/** The text mustaches in `source`'s markup that render a name without isolation. */
function unisolated(source: string): string[] {
  const markup = source
    .replace(/<script[\s\S]*?<\/script>/g, (s) => ' '.repeat(s.length))
    .replace(/<style[\s\S]*?<\/style>/g, (s) => ' '.repeat(s.length))
    .replace(/<!--[\s\S]*?-->/g, (s) => ' '.repeat(s.length));
  const found: string[] = [];
  for (const match of markup.matchAll(/\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/g)) {
    const expression = match[1]!.trim();
    if (/^[#:/@]/.test(expression)) continue; // blocks and tags: {#each}, {:else}, {/if}, {@const}
    if (/=\s*$/.test(markup.slice(0, match.index))) continue; // an attribute value
    if (/^(t|tm)\(/.test(expression)) continue; // a translated sentence: the formatter isolates its values
    if (!NAME.test(expression.replace(/\s+/g, ''))) continue;
    if (!ISOLATED.test(markup.slice(0, match.index))) found.push(expression);
  }
  return found;
}

describe('[N4] names rendered isolated', () => {
  it('every component puts each rendered name in a <bdi> or a dir="auto" element', () => {
    const offenders = FILES.flatMap((file) => unisolated(readFileSync(join(COMPONENTS, file), 'utf8')).map((e) => `${file}: {${e}}`));
    expect(offenders).toEqual([]);
  });

  it('would notice a name rendered bare (the check is not vacuous)', () => {
    expect(unisolated('<span>{member.name} · host</span>')).toEqual(['member.name']);
    expect(unisolated('<span>{room.nameOf(id)}</span>')).toEqual(['room.nameOf(id)']);
    expect(unisolated('<option value={m.id}>{m.name}</option>')).toEqual(['m.name']);
    expect(unisolated('<span><bdi>{member.name}</bdi> · host</span><option dir="auto">{m.name}</option>')).toEqual([]);
    expect(unisolated('<p aria-label={member.name}>{t("x", { name: member.name })}</p>')).toEqual([]);
  });
});
