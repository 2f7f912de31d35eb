#!/usr/bin/env node
// Verifies a Sealroom deployment: fetches the page it serves (at /, /index.html and a room link),
// every file its page references, its /integrity.json and every file listed there, and compares
// each with a reference manifest: a local build of the same commit (client/dist/integrity.json,
// the default) or a published manifest (--manifest <file or URL>). Prints PASS or FAIL per file;
// exits 0 when everything matches, 1 on any mismatch or missing file, 2 on bad usage.
//
// Plain Node (>= 20) with no dependency and no build step, so it can be read before it is run:
//   npm run verify -- https://host            npx sealroom-verify https://host --manifest ./integrity.json
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const USAGE = 'usage: sealroom-verify <https://host> [--manifest <integrity.json file or URL>]';
const LOCAL_MANIFEST = fileURLToPath(new URL('../client/dist/integrity.json', import.meta.url));
/** The app answers room links with index.html too; a server could serve another page there. */
const ROOM_LINK = '/r/AAAAAAAAAAAAAAAAAAAAAA';
const HEX64 = /^[0-9a-f]{64}$/;

class UsageError extends Error {}
class HelpRequested extends Error {}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function parseArgs(argv) {
  let target;
  let manifest;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--manifest') {
      manifest = argv[++i];
      if (manifest === undefined) throw new UsageError('--manifest needs a file or a URL');
    } else if (arg === '--help' || arg === '-h') {
      throw new HelpRequested();
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg}`);
    } else if (target === undefined) {
      target = arg;
    } else {
      throw new UsageError(`one deployment at a time (got ${target} and ${arg})`);
    }
  }
  if (target === undefined) throw new UsageError('name the deployment to verify');
  let url;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`not a URL: ${target}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`not an http(s) URL: ${target}`);
  return { origin: url.origin, manifest };
}

/** The manifest's file table, checked; throws UsageError naming what is wrong. */
function parseManifest(text, where) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${where} is not JSON`);
  }
  if (value?.version !== 1 || value?.algorithm !== 'sha256' || typeof value.files !== 'object' || value.files === null) {
    throw new UsageError(`${where} is not a version 1 sha256 manifest`);
  }
  for (const [file, digest] of Object.entries(value.files)) {
    if (!file.startsWith('/') || typeof digest !== 'string' || !HEX64.test(digest)) throw new UsageError(`${where} has a bad entry for ${file}`);
  }
  if (!('/index.html' in value.files)) throw new UsageError(`${where} does not list /index.html`);
  return value.files;
}

async function loadReference(source) {
  const where = source ?? LOCAL_MANIFEST;
  let bytes;
  if (/^https?:\/\//.test(where)) {
    const response = await fetch(where).catch((error) => {
      throw new UsageError(`cannot fetch the manifest ${where}: ${error.cause?.code ?? error.message}`);
    });
    if (response.status !== 200) throw new UsageError(`the manifest ${where} answered HTTP ${response.status}`);
    bytes = Buffer.from(await response.arrayBuffer());
  } else {
    bytes = await readFile(where).catch(() => {
      throw new UsageError(
        source === undefined ? `no local build at ${where}: run \`npm run build\` at the release's commit, or pass --manifest` : `cannot read the manifest ${where}`,
      );
    });
  }
  return { hash: sha256(bytes), files: parseManifest(bytes.toString('utf8'), where) };
}

async function get(origin, path) {
  try {
    const response = await fetch(origin + path, { redirect: 'manual', headers: { 'cache-control': 'no-cache' } });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  } catch (error) {
    return { status: 0, error: error.cause?.code ?? error.message, bytes: Buffer.alloc(0) };
  }
}

/** Same-origin paths the page's src and href attributes name, and any that point elsewhere. */
function references(html, origin) {
  const local = new Set();
  const foreign = new Set();
  for (const match of html.matchAll(/\s(?:src|href)\s*=\s*["']([^"']+)["']/gi)) {
    const url = new URL(match[1], `${origin}/`);
    if (url.origin === origin) local.add(url.pathname);
    else foreign.add(url.href);
  }
  return { local, foreign };
}

async function verify(origin, reference) {
  const results = [];
  const pass = (path, note = '') => results.push({ ok: true, path, note });
  const fail = (path, note) => results.push({ ok: false, path, note });
  const compare = (path, served, expected) => {
    if (served.status !== 200) return fail(path, served.status === 0 ? `not fetched: ${served.error}` : `missing (HTTP ${served.status})`);
    if (expected === undefined) return fail(path, 'served, but not in the reference manifest');
    const digest = sha256(served.bytes);
    if (digest !== expected) return fail(path, `sha256 differs: expected ${expected}, served ${digest}`);
    return pass(path);
  };

  const servedManifest = await get(origin, '/integrity.json');
  let servedFiles = {};
  if (servedManifest.status === 0) fail('/integrity.json', `not fetched: ${servedManifest.error}`);
  else if (servedManifest.status !== 200) fail('/integrity.json', `missing (HTTP ${servedManifest.status})`);
  else {
    const digest = sha256(servedManifest.bytes);
    if (digest === reference.hash) pass('/integrity.json', `version ${digest}`);
    else fail('/integrity.json', `served version ${digest}, reference ${reference.hash}`);
    try {
      servedFiles = parseManifest(servedManifest.bytes.toString('utf8'), 'the served manifest');
    } catch (error) {
      fail('/integrity.json', error.message);
    }
  }

  const page = await get(origin, '/');
  compare('/', page, reference.files['/index.html']);
  compare(ROOM_LINK, await get(origin, ROOM_LINK), reference.files['/index.html']);
  const refs = references(page.bytes.toString('utf8'), origin);
  for (const url of refs.foreign) fail(url, 'the page loads something from another origin');

  const paths = new Set([...Object.keys(reference.files), ...refs.local, ...Object.keys(servedFiles)]);
  const sorted = [...paths].sort();
  const served = await Promise.all(sorted.map((path) => get(origin, path)));
  sorted.forEach((path, i) => compare(path, served[i], reference.files[path]));
  return results;
}

async function main() {
  const { origin, manifest } = parseArgs(process.argv.slice(2));
  const reference = await loadReference(manifest);
  console.log(`verifying ${origin} against ${manifest ?? LOCAL_MANIFEST}`);
  console.log(`reference version ${reference.hash}`);
  const results = await verify(origin, reference);
  for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.path}${r.note ? `  ${r.note}` : ''}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(failed === 0 ? `OK: all ${results.length} checks pass` : `FAILED: ${failed} of ${results.length} checks`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof HelpRequested) {
      console.log(USAGE);
      process.exit(0);
    }
    if (error instanceof UsageError) {
      console.error(`sealroom-verify: ${error.message}`);
      console.error(USAGE);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
