// Static checks that keep crypto/ auditable: it imports only libsodium-wrappers and its own files,
// and uses no I/O, DOM, timers, logging or ambient randomness. Used by tests/unit/crypto-purity.test.ts
// and by `npm run audit:crypto`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly text: string;
}

const ALLOWED_PACKAGES = new Set(['libsodium-wrappers']);

/** Identifiers crypto/ must not touch: I/O, DOM, timers, logging, non-cryptographic randomness. */
const FORBIDDEN: readonly { rule: string; pattern: RegExp }[] = [
  { rule: 'no logging', pattern: /\bconsole\s*\./ },
  { rule: 'no timers', pattern: /\b(setTimeout|setInterval|queueMicrotask|requestAnimationFrame)\s*\(/ },
  { rule: 'no clock', pattern: /\b(Date\s*\.\s*now|new\s+Date|performance\s*\.\s*now)\b/ },
  { rule: 'no ambient randomness', pattern: /\bMath\s*\.\s*random\b/ },
  { rule: 'no network', pattern: /\b(fetch|XMLHttpRequest|WebSocket|RTCPeerConnection)\b/ },
  { rule: 'no DOM', pattern: /\b(document|localStorage|sessionStorage|indexedDB|navigator|location)\s*\./ },
  { rule: 'no Node built-ins', pattern: /\b(process|require|Buffer)\s*[.(]/ },
];

export function cryptoSourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...cryptoSourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

/** Strips comments and string contents so the patterns only see code. */
function codeOnly(line: string): string {
  return line.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '').replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
}

export function checkSource(file: string, source: string): Finding[] {
  const findings: Finding[] = [];
  let inBlockComment = false;
  source.split('\n').forEach((raw, i) => {
    let line = raw;
    if (inBlockComment) {
      const end = line.indexOf('*/');
      if (end < 0) return;
      line = line.slice(end + 2);
      inBlockComment = false;
    }
    const start = line.indexOf('/*');
    if (start >= 0 && line.indexOf('*/', start) < 0) {
      inBlockComment = true;
      line = line.slice(0, start);
    }
    const imported = /^\s*(?:import|export)\b[^'"]*\bfrom\s+['"]([^'"]+)['"]/.exec(line) ?? /^\s*import\s+['"]([^'"]+)['"]/.exec(line);
    if (imported) {
      const target = imported[1] ?? '';
      if (!target.startsWith('./') && !target.startsWith('../') && !ALLOWED_PACKAGES.has(target)) {
        findings.push({ file, line: i + 1, rule: 'imports only libsodium-wrappers and crypto/', text: raw.trim() });
      }
      if (target.startsWith('../../')) findings.push({ file, line: i + 1, rule: 'imports stay inside crypto/', text: raw.trim() });
      return;
    }
    const code = codeOnly(line);
    for (const { rule, pattern } of FORBIDDEN) {
      if (pattern.test(code)) findings.push({ file, line: i + 1, rule, text: raw.trim() });
    }
  });
  return findings;
}

export function checkCryptoPurity(cryptoDir: string): Finding[] {
  return cryptoSourceFiles(cryptoDir).flatMap((path) => checkSource(relative(join(cryptoDir, '..'), path), readFileSync(path, 'utf8')));
}

/** libsodium-wrappers must be pinned to one exact version. */
export function checkPinnedLibsodium(packageJson: { dependencies?: Record<string, string> }): string | null {
  const version = packageJson.dependencies?.['libsodium-wrappers'];
  if (version === undefined) return 'libsodium-wrappers is not a dependency';
  return /^\d+\.\d+\.\d+$/.test(version) ? null : `libsodium-wrappers is not pinned exactly (${version})`;
}
