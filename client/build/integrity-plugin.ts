// Vite plugin run after the client is written to client/dist: adds Subresource Integrity
// (W3C SRI, `integrity="sha384-…"`) to every script and stylesheet index.html loads, then writes
// integrity.json, the SHA-256 of every file the server will serve. The manifest is what the
// verifier (scripts/verify.mjs) and the pinning service worker compare served code against; the
// SHA-256 of its own bytes is the version id shown to people.
//
// One thing in Vite's output is not reproducible: the source text of a `?url` import, kept in the
// source maps, names a file reference whose id differs from one checkout folder to another
// (`import.meta.ROLLDOWN_FILE_URL_<id>`). That text is a placeholder no browser runs, so the ids
// are replaced by a fixed one before anything is hashed (tests/build/reproducible.test.ts).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { MANIFEST_FILE, serializeManifest, type IntegrityManifest } from '../src/lib/integrity/manifest';

/** Every file under `dir`, as sorted `/`-rooted URL paths. */
export function servedFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...servedFiles(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

const TAG = /<(script|link)\b[^>]*>/g;
const ATTR = (name: string) => new RegExp(`\\s${name}="([^"]*)"`);

/** index.html with `integrity` (and `crossorigin`) on each same-origin script and stylesheet tag. */
export function addSubresourceIntegrity(html: string, read: (urlPath: string) => Buffer): string {
  return html.replace(TAG, (tag: string, name: string) => {
    if (ATTR('integrity').test(tag)) return tag;
    const rel = ATTR('rel').exec(tag)?.[1];
    if (name === 'link' && rel !== 'stylesheet' && rel !== 'modulepreload') return tag;
    const url = ATTR(name === 'script' ? 'src' : 'href').exec(tag)?.[1];
    if (url === undefined) return tag;
    if (!url.startsWith('/') || url.startsWith('//')) throw new Error(`index.html loads ${url} from elsewhere; only same-origin files can be pinned`);
    const digest = createHash('sha384').update(read(url)).digest('base64');
    const crossorigin = ATTR('crossorigin').test(tag) || /\scrossorigin[\s>]/.test(tag) ? '' : ' crossorigin';
    return tag.replace(/\s*\/?>$/, (end) => ` integrity="sha384-${digest}"${crossorigin}${end}`);
  });
}

/** The manifest of `dir` as it is now (integrity.json itself left out). */
export function manifestOf(dir: string): IntegrityManifest {
  const files: Record<string, string> = {};
  for (const file of servedFiles(dir)) {
    if (file === `/${MANIFEST_FILE}`) continue;
    files[file] = createHash('sha256').update(readFileSync(path.join(dir, file))).digest('hex');
  }
  return { version: 1, algorithm: 'sha256', files };
}

const FILE_REFERENCE = /import\.meta\.ROLLDOWN_FILE_URL_[A-Za-z0-9_$-]+/g;

/** A source map with the per-folder file reference ids in its `sourcesContent` made fixed. */
export function stableSourceMap(json: string): string {
  const map = JSON.parse(json) as { sourcesContent?: (string | null)[] };
  if (!Array.isArray(map.sourcesContent) || !map.sourcesContent.some((s) => s !== null && s.search(FILE_REFERENCE) >= 0)) return json;
  map.sourcesContent = map.sourcesContent.map((s) => (s === null ? s : s.replace(FILE_REFERENCE, 'import.meta.ROLLDOWN_FILE_URL')));
  return JSON.stringify(map);
}

export function integrityPlugin(): Plugin {
  let outDir = '';
  return {
    name: 'sealroom-integrity',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        for (const file of servedFiles(outDir).filter((f) => f.endsWith('.map'))) {
          const mapPath = path.join(outDir, file);
          const before = readFileSync(mapPath, 'utf8');
          const after = stableSourceMap(before);
          if (after !== before) writeFileSync(mapPath, after);
        }
        const index = path.join(outDir, 'index.html');
        const html = addSubresourceIntegrity(readFileSync(index, 'utf8'), (url) => readFileSync(path.join(outDir, url)));
        writeFileSync(index, html);
        writeFileSync(path.join(outDir, MANIFEST_FILE), serializeManifest(manifestOf(outDir)));
      },
    },
  };
}
