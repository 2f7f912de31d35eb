// `npm run bench`: runs every benchmark section, prints a table per section, and saves all of it
// as JSON under bench/results/. Pass section names to run only those: `npm run bench -- sframe`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { sodiumReady } from '../crypto/sodium';
import { type BenchSection, formatTable } from './section';

type SectionRunner = () => Promise<BenchSection | BenchSection[]>;

const sections: Record<string, () => Promise<SectionRunner>> = {
  sframe: async () => (await import('./sframe')).run,
  commit: async () => (await import('./commit')).run,
};

const wanted = process.argv.slice(2);
await sodiumReady();
const results: BenchSection[] = [];
for (const [name, load] of Object.entries(sections)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const out = await (await load())();
  for (const section of Array.isArray(out) ? out : [out]) {
    console.log(`${formatTable(section)}\n`);
    results.push(section);
  }
}
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const file = join(dir, `bench-${stamp}.json`);
const environment = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), environment, sections: results }, null, 2));
writeFileSync(join(dir, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), environment, sections: results }, null, 2));
console.log(`saved ${file}`);
