// crypto/index.ts is the only door into crypto/ (scripts/crypto-door.ts).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCryptoDoor, checkDoor, fixDoor } from '../../scripts/crypto-door';

const root = join(import.meta.dirname, '..', '..');
const at = (path: string) => join(root, path);

describe('crypto/ door', () => {
  it('is crypto/index for every client, server, protocol, bench, script and test file', () => {
    expect(checkCryptoDoor(root)).toEqual([]);
  });

  it('flags an import, an export-from and a dynamic import of any other crypto/ path', () => {
    const source = [
      "import { toBase64Url } from '../crypto/bytes';",
      "import { sodiumReady } from '../crypto/index';",
      "export { SFrameSender } from '../crypto/sframe/sender';",
      "const m = await import('../crypto/sframe/index');",
      "import { x } from './crypto/bytes'; // not crypto/: a sibling folder of that name",
    ].join('\n');
    expect(checkDoor(root, at('server/example.ts'), source)).toEqual([
      { file: 'server/example.ts', line: 1, specifier: '../crypto/bytes' },
      { file: 'server/example.ts', line: 3, specifier: '../crypto/sframe/sender' },
      { file: 'server/example.ts', line: 4, specifier: '../crypto/sframe/index' },
    ]);
  });

  it('reads the script blocks of Svelte components', () => {
    const source = "<script lang=\"ts\">\n  import { toBase64Url } from '../../../crypto/bytes';\n</script>\n<p>{toBase64Url}</p>";
    expect(checkDoor(root, at('client/src/components/Example.svelte'), source)).toEqual([{ file: 'client/src/components/Example.svelte', line: 2, specifier: '../../../crypto/bytes' }]);
  });

  it('fixes an import by pointing it at crypto/index, the host namespace included', () => {
    const file = at('tests/unit/example.ts');
    const source = "import { toBase64Url } from '../../crypto/bytes';\nimport * as host from '../../crypto/host';\nimport * as h from '../../crypto/host';\n";
    const fixed = fixDoor(root, file, source);
    expect(fixed).toBe("import { toBase64Url } from '../../crypto/index';\nimport { host } from '../../crypto/index';\nimport { host as h } from '../../crypto/index';\n");
    expect(checkDoor(root, file, fixed)).toEqual([]);
  });
});
