// `npm run audit:crypto`: one command for a reviewer of crypto/. It runs the known-answer vectors,
// the unit and property tests of crypto/, the hostile-relay scenarios and the purity check, then
// prints a report: every file with its size, every label, the pinned dependency, and the verdict.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Label } from '../crypto/index';
import { checkCryptoPurity, checkPinnedLibsodium, cryptoSourceFiles } from './crypto-purity';

const root = join(import.meta.dirname, '..');
const cryptoDir = join(root, 'crypto');

const suites = [
  'tests/vectors',
  'tests/scenario',
  'tests/unit/crypto-purity.test.ts',
  ...['bytes', 'kdf', 'labels', 'identity', 'link', 'wrap', 'join', 'commit', 'commit-chain', 'epoch', 'epoch-confirm', 'safety', 'words', 'member', 'host', 'sframe-header', 'sframe-api', 'sframe-context', 'replay-window', 'framing', 'framing-protect'].map((n) => `tests/unit/${n}.test.ts`),
];
const run = spawnSync('npx', ['vitest', 'run', '--project', 'unit', ...suites], { cwd: root, stdio: 'inherit' });

console.log('\n# crypto/ audit report\n');
console.log('| file | lines |\n|---|---|');
let total = 0;
for (const file of cryptoSourceFiles(cryptoDir)) {
  const lines = readFileSync(file, 'utf8').split('\n').length;
  total += lines;
  console.log(`| ${relative(root, file)} | ${lines} |`);
}
console.log(`| total | ${total} |\n`);
console.log(`Labels (${Object.keys(Label).length}, all in crypto/labels.ts):`);
for (const [name, value] of Object.entries(Label)) console.log(`  ${name.padEnd(24)} ${JSON.stringify(value)}`);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
const pinned = checkPinnedLibsodium(pkg);
const findings = checkCryptoPurity(cryptoDir);
console.log(`\nDependency: libsodium-wrappers ${pkg.dependencies?.['libsodium-wrappers'] ?? 'missing'} (${pinned ?? 'pinned exactly'})`);
console.log(`Purity: ${findings.length === 0 ? 'no I/O, DOM, timers, logging or foreign imports' : `${findings.length} finding(s)`}`);
for (const f of findings) console.log(`  ${f.file}:${f.line} ${f.rule}: ${f.text}`);
const ok = run.status === 0 && pinned === null && findings.length === 0;
console.log(`\nVerdict: ${ok ? 'PASS' : 'FAIL'}`);
process.exit(ok ? 0 : 1);
