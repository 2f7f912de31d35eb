// The project's own source files, for the checks that read them (crypto-door.ts, unused-exports.ts):
// every file under `dirs` whose name matches `pattern`, skipping installed, built and result
// folders, plus the matching files at the root. Sorted, so reports are stable.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SKIP = new Set(['node_modules', 'dist', 'results']);

export function sourceFiles(root: string, dirs: readonly string[], pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (!SKIP.has(name)) walk(path);
      } else if (pattern.test(name)) out.push(path);
    }
  };
  for (const dir of dirs) if (existsSync(join(root, dir))) walk(join(root, dir));
  for (const name of readdirSync(root)) if (pattern.test(name) && statSync(join(root, name)).isFile()) out.push(join(root, name));
  return out.sort();
}
