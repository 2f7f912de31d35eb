// Prerequisites of the e2e run, checked outside the namespace where the network may still be needed:
// the LiveKit binary (built once if absent), Debian's Chromium, a fresh client build, and a fresh build
// of the raw LiveKit peer the security tests use (tests/e2e/rawpeer, into the OS temp dir).
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLiveKitBinary } from '../../../scripts/livekit/binary';
import { CHROMIUM_PATH } from './browser';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Prepared {
  liveKitBinary: string;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

async function requireChromium(): Promise<void> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(`${CHROMIUM_PATH} not found: install Debian's chromium: apt-get install chromium`);
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

  await requireChromium();
  console.log(`[e2e] browser: ${CHROMIUM_PATH}`);

  started = performance.now();
  await build('client build (npm run build)', 'npm', ['run', '--silent', 'build']);
  console.log(`[e2e] client built in ${seconds(started)}`);

  started = performance.now();
  await build('raw peer build', join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', join(ROOT, 'tests', 'e2e', 'rawpeer', 'vite.config.ts')]);
  console.log(`[e2e] raw LiveKit peer built in ${seconds(started)}`);
  return { liveKitBinary };
}
