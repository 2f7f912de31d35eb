import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCryptoPurity, checkPinnedLibsodium, checkSource } from '../../scripts/crypto-purity';

const root = join(import.meta.dirname, '..', '..');

describe('crypto/ purity', () => {
  it('imports only libsodium-wrappers and its own files, and uses no I/O, DOM, timers or logging', () => {
    expect(checkCryptoPurity(join(root, 'crypto'))).toEqual([]);
  });

  it('pins libsodium-wrappers to one exact version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(checkPinnedLibsodium(pkg)).toBeNull();
    expect(checkPinnedLibsodium({ dependencies: { 'libsodium-wrappers': '^0.8.4' } })).toMatch(/not pinned/);
  });

  it('flags each forbidden construct in code, but not in comments or strings', () => {
    const bad = [
      "import { readFileSync } from 'node:fs';",
      "import { x } from '../../client/thing';",
      'console.log(secret);',
      'setTimeout(tick, 10);',
      'const t = Date.now();',
      'const r = Math.random();',
      'await fetch(url);',
      'document.title = name;',
      'process.exit(1);',
    ].join('\n');
    expect(checkSource('x.ts', bad).map((f) => f.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const fine = ["// console.log is not used here", "const s = 'Date.now() in a string';", '/* setTimeout(', 'fetch( */ const ok = 1;'].join('\n');
    expect(checkSource('y.ts', fine)).toEqual([]);
  });
});
