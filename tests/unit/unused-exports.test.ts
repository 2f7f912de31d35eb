// scripts/unused-exports.ts, run by `npm run typecheck` over the repository, here on a small tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findUnusedExports } from '../../scripts/unused-exports';

const root = mkdtempSync(join(tmpdir(), 'sealroom-unused-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

write('crypto/bytes.ts', ['export const usedByServer = 1;', 'export const onlyReExported = 2;', 'export const usedHereOnly = 3;', 'export const dead = 4;', 'export type NoCallerSpellsMe = { a: number };', 'export const fromSvelte = 5;', 'export const total = usedHereOnly;'].join('\n'));
write('crypto/host.ts', 'export function admit(): number { return 1; }\nexport function end(): number { return 2; }\n');
write('crypto/index.ts', "export * from './bytes';\nexport * as host from './host';\nexport { onlyReExported as again } from './bytes';\n");
write('server/app.ts', "import { usedByServer, total, host } from '../crypto/index';\nconsole.log(usedByServer, total, host.admit());\n");
write('client/src/A.svelte', "<script lang=\"ts\">\n  import { fromSvelte } from '../../crypto/index';\n</script>\n<p>{fromSvelte}</p>\n");
write('vite.config.ts', 'export default { root: "." };\n');

describe('unused exports', () => {
  it('lists exported values no other file names, through re-exports, namespaces and Svelte imports', () => {
    const found = findUnusedExports(root, { entryPoints: ['vite.config.ts'], allowed: [] }).map((f) => `${f.file}:${f.name}`);
    expect(found).toEqual(['crypto/bytes.ts:onlyReExported', 'crypto/bytes.ts:usedHereOnly', 'crypto/bytes.ts:dead', 'crypto/host.ts:end']);
  });

  it('skips entries of the allow-list and entry points', () => {
    const found = findUnusedExports(root, { entryPoints: [], allowed: [{ file: 'crypto/bytes.ts', name: 'dead' }] }).map((f) => `${f.file}:${f.name}`);
    expect(found).toContain('vite.config.ts:default');
    expect(found).not.toContain('crypto/bytes.ts:dead');
  });
});
