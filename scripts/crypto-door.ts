// crypto/index.ts is crypto/'s one public surface: the client, the server, the benches, the scripts
// and the tests (vectors included) import crypto/ only through it, so an auditor reads one file to
// know what the rest of the product can call. This check lists every import, export-from or dynamic
// import outside crypto/ that reaches another crypto/ path. Used by tests/unit/crypto-door.test.ts;
// `tsx scripts/crypto-door.ts --fix` rewrites such imports to crypto/index (the path only, and
// `import * as host from '…/crypto/host'` to `import { host } from '…/crypto/index'`).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { sourceFiles } from './source-files';

export interface DoorFinding {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
}

/** Folders outside crypto/ whose sources may import it. */
const SOURCE_DIRS = ['client', 'server', 'protocol', 'tests', 'bench', 'scripts'];

function importingSources(root: string): string[] {
  return sourceFiles(root, SOURCE_DIRS, /\.(ts|svelte)$/).filter((f) => dirname(f) !== root || f.endsWith('.config.ts'));
}

interface Specifier {
  readonly text: string;
  /** Offsets of the specifier's text (without quotes) in the file. */
  readonly start: number;
  readonly end: number;
}

/** Module specifiers of a TypeScript source, or of the `<script>` blocks of a Svelte component. */
function specifiers(file: string, source: string): Specifier[] {
  const blocks: { code: string; offset: number }[] = [];
  if (file.endsWith('.svelte')) {
    for (const m of source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) blocks.push({ code: m[1] ?? '', offset: (m.index ?? 0) + m[0].indexOf('>') + 1 });
  } else blocks.push({ code: source, offset: 0 });
  return blocks.flatMap(({ code, offset }) =>
    ts.preProcessFile(code, true, true).importedFiles.map((f) => {
      // `pos` may point at the opening quote: find the specifier's own text from there.
      const at = code.indexOf(f.fileName, f.pos);
      return { text: f.fileName, start: offset + at, end: offset + at + f.fileName.length };
    }),
  );
}

/** The crypto/ file a relative specifier of `file` points at (relative to crypto/, no extension), if any. */
function cryptoTarget(root: string, file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const cryptoDir = join(root, 'crypto');
  const abs = resolve(dirname(file), specifier);
  if (abs === cryptoDir) return '';
  if (!abs.startsWith(cryptoDir + sep)) return null;
  return relative(cryptoDir, abs).replace(/\.ts$/, '');
}

/** Imports of `file` (at `source`) that reach into crypto/ other than through crypto/index. */
export function checkDoor(root: string, file: string, source: string): DoorFinding[] {
  const findings: DoorFinding[] = [];
  for (const s of specifiers(file, source)) {
    const target = cryptoTarget(root, file, s.text);
    if (target === null || target === 'index') continue;
    findings.push({ file: relative(root, file), line: source.slice(0, s.start).split('\n').length, specifier: s.text });
  }
  return findings;
}

export function checkCryptoDoor(root: string): DoorFinding[] {
  return importingSources(root).flatMap((file) => checkDoor(root, file, readFileSync(file, 'utf8')));
}

/** `source` with every such import pointed at crypto/index. */
export function fixDoor(root: string, file: string, source: string): string {
  let out = source;
  for (const s of specifiers(file, source).reverse()) {
    const target = cryptoTarget(root, file, s.text);
    if (target === null || target === 'index') continue;
    const door = s.text.replace(target === '' ? /crypto\/?$/ : /crypto\/.*$/, 'crypto/index');
    out = out.slice(0, s.start) + door + out.slice(s.end);
  }
  // crypto/index re-exports host's functions as the namespace `host`.
  return out.replace(/import \* as (\w+) from (['"])([./]*crypto)\/index\2/g, (_m, name: string, q: string, path: string) =>
    `import { ${name === 'host' ? 'host' : `host as ${name}`} } from ${q}${path}/index${q}`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const root = join(import.meta.dirname, '..');
  if (process.argv.includes('--fix')) {
    for (const file of importingSources(root)) {
      const source = readFileSync(file, 'utf8');
      const fixed = fixDoor(root, file, source);
      if (fixed !== source) writeFileSync(file, fixed);
    }
  }
  const findings = checkCryptoDoor(root);
  for (const f of findings) console.error(`${f.file}:${f.line}: imports '${f.specifier}'; import crypto/index instead`);
  process.exit(findings.length === 0 ? 0 : 1);
}
