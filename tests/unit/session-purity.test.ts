// The session core (client/src/lib/session/) is plain TypeScript: no Svelte, no runes, no DOM, no
// direct timers (time comes through its Clock). So the in-memory tier, the headless driver and the
// app all run the same code, and this unit project loads it without compiling any Svelte.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../client/src/lib/session');
const FORBIDDEN: [RegExp, string][] = [
  [/from ['"]svelte/, 'imports Svelte'],
  [/\.svelte(\.ts)?['"]/, 'imports a Svelte file'],
  [/\$(state|derived|effect|props)\b/, 'uses a rune'],
  [/\b(document|window|localStorage|indexedDB)\./, 'touches the DOM or storage'],
  [/\bset(Timeout|Interval)\(/, 'starts a timer outside media-sink.ts'],
];

describe('the session core', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));

  it('is the files this test reads', () => {
    expect(files).toEqual(expect.arrayContaining(['session.ts', 'membership.ts', 'host-desk.ts', 'left-behind.ts', 'channel.ts', 'media-sink.ts']));
  });

  it.each(files)('%s uses no framework, DOM or timer', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8')
      .split('\n')
      .filter((line) => !line.trim().startsWith('//') && !line.trim().startsWith('*'))
      .join('\n');
    const found = FORBIDDEN.filter(([pattern]) => pattern.test(text) && !(file === 'media-sink.ts' && pattern.source.includes('Timeout')));
    expect(found.map(([, what]) => what)).toEqual([]);
  });
});
