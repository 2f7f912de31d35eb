// Prerequisites of the e2e run, checked outside the namespace where the network may still be needed:
// the LiveKit binary (built once if absent), Debian's Chromium, Firefox ESR and Xvfb, a fresh client build, and a fresh build
// of the raw LiveKit peer the security tests use (tests/e2e/rawpeer, into the OS temp dir).
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLiveKitBinary } from '../../../scripts/livekit/binary';
import { CHROMIUM_PATH } from './browser';
import { FIREFOX_PATH } from './firefox';
import { XVFB_PATH } from './xvfb';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Prepared {
  liveKitBinary: string;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** Throws, saying which Debian package to install, unless `path` is an executable. */
export async function requireBrowser(path: string, name: string, debianPackage: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new Error(
      `${path} not found: the browser tests need Debian's ${name}: apt-get install ${debianPackage} (or run .ci/run, which installs it). Browsers are never downloaded.`,
    );
  }
}

function build(what: string, command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed with exit code ${String(code)}`))));
  });
}

export async function prepare(): Promise<Prepared> {
  let started = performance.now();
  const liveKitBinary = await ensureLiveKitBinary();
  console.log(`[e2e] LiveKit binary: ${liveKitBinary} (${seconds(started)})`);

  await requireBrowser(CHROMIUM_PATH, 'Chromium', 'chromium');
  await requireBrowser(FIREFOX_PATH, 'Firefox ESR', 'firefox-esr');
  await requireBrowser(XVFB_PATH, 'Xvfb (the screen Firefox shares)', 'xvfb');
  console.log(`[e2e] browsers: ${CHROMIUM_PATH}, ${FIREFOX_PATH}`);

  started = performance.now();
  await build('client build (npm run build)', 'npm', ['run', '--silent', 'build']);
  console.log(`[e2e] client built in ${seconds(started)}`);

  started = performance.now();
  await build('raw peer build', join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', join(ROOT, 'tests', 'e2e', 'rawpeer', 'vite.config.ts')]);
  console.log(`[e2e] raw LiveKit peer built in ${seconds(started)}`);
  return { liveKitBinary };
}
