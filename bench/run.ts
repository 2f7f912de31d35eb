// `npm run bench`: runs every benchmark section, prints a table per section, and saves all of it
// as JSON under bench/results/. Pass section names to run only those: `npm run bench -- sframe`.
// The browser and reconnect sections move media, so when one is selected the whole run happens
// inside a private network namespace holding only loopback, with a loopback LiveKit, like the e2e tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sodiumReady } from '../crypto/index';
import { reenterIsolated, withIsolatedLiveKit } from '../tests/e2e/harness/isolation';
import { isInsideNamespace } from '../tests/e2e/harness/netns';
import { prepare } from '../tests/e2e/harness/prepare';
import { type BenchSection, formatTable } from './section';

type SectionRunner = () => Promise<BenchSection | BenchSection[]>;

const sections: Record<string, () => Promise<SectionRunner>> = {
  sframe: async () => (await import('./sframe')).run,
  commit: async () => (await import('./commit')).run,
  rekey: async () => (await import('./rekey')).run,
  flood: async () => (await import('./flood')).run,
  signaling: async () => (await import('./signaling')).run,
  server: async () => (await import('./server')).run,
  worker: async () => (await import('./worker')).run,
  signatures: async () => (await import('./signatures')).run,
  browser: async () => (await import('./browser')).run,
  reconnect: async () => (await import('./reconnect')).run,
};
/** Sections that need browsers, LiveKit and the namespace. */
const ISOLATED = new Set(['browser', 'reconnect']);

const wanted = process.argv.slice(2);
const chosen = Object.keys(sections).filter((name) => wanted.length === 0 || wanted.includes(name));
const isolate = chosen.some((name) => ISOLATED.has(name));
if (isolate && !isInsideNamespace()) {
  const { liveKitBinary } = await prepare();
  process.exit(await reenterIsolated(fileURLToPath(import.meta.url), wanted, { LIVEKIT_SERVER_BIN: liveKitBinary }));
}

await sodiumReady();
const results: BenchSection[] = [];
async function runAll(): Promise<void> {
  for (const name of chosen) {
    const out = await (await sections[name]!())();
    for (const section of Array.isArray(out) ? out : [out]) {
      console.log(`${formatTable(section)}\n`);
      results.push(section);
    }
  }
}
await (isolate ? withIsolatedLiveKit(runAll) : runAll());
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const file = join(dir, `bench-${stamp}.json`);
const environment = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), environment, sections: results }, null, 2));
writeFileSync(join(dir, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), environment, sections: results }, null, 2));
console.log(`saved ${file}`);
