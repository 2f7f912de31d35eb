// Reproducible build: the client is built twice from copies of this checkout (the files git
// tracks, plus new ones not ignored) in two fresh folders at different depths, and the two
// client/dist trees must be identical byte for byte. Neither may contain either folder's path, the
// checkout's path, or today's date, so the output carries no absolute path or timestamp; random
// ids would show up as a difference. node_modules is hard-linked, not symlinked, so Vite sees each
// copy's own path, as it would in a real second checkout.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { servedFiles } from '../../client/build/integrity-plugin';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const made: string[] = [];

function copyCheckout(into: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' }).split('\0');
  for (const file of files) {
    if (file === '' || file.startsWith('docs/screenshots/')) continue;
    const to = path.join(into, file);
    mkdirSync(path.dirname(to), { recursive: true });
    try {
      copyFileSync(path.join(REPO, file), to);
    } catch (error) {
      // A tracked file deleted in the working tree is not part of this build.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  execFileSync('cp', ['-al', path.join(REPO, 'node_modules'), path.join(into, 'node_modules')]);
}

function buildIn(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(dir, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'client/vite.config.ts', '--logLevel', 'error'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build in ${dir} exited with ${String(code)}: ${stderr}`))));
  });
}

async function freshBuild(dir: string): Promise<string> {
  made.push(dir);
  mkdirSync(dir, { recursive: true });
  copyCheckout(dir);
  await buildIn(dir);
  return path.join(dir, 'client/dist');
}

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('reproducible build', () => {
  it('gives byte-identical client/dist trees in two clean folders, with no path or date in them', { timeout: 240_000 }, async () => {
    const a = await freshBuild(mkdtempSync(path.join(tmpdir(), 'sealroom-repro-a-')));
    const root = mkdtempSync(path.join(tmpdir(), 'sealroom-repro-b-'));
    made.push(root); // freshBuild records only the deeper folder
    const b = await freshBuild(path.join(root, 'one', 'level', 'deeper'));

    const files = servedFiles(a);
    expect(files).toContain('/index.html');
    expect(files).toContain('/integrity.json');
    expect(files).toContain('/sw.js');
    expect(servedFiles(b)).toEqual(files);

    const today = new Date().toISOString().slice(0, 10);
    const forbidden = [REPO.replace(/\/$/, ''), path.dirname(path.dirname(a)), path.dirname(path.dirname(b)), today, tmpdir()];
    for (const file of files) {
      const bytesA = readFileSync(path.join(a, file));
      const bytesB = readFileSync(path.join(b, file));
      expect(bytesA.equals(bytesB), `${file} differs between the two builds`).toBe(true);
      const text = bytesA.toString('latin1');
      for (const needle of forbidden) expect(text.includes(needle), `${file} contains ${needle}`).toBe(false);
    }
  });
});
