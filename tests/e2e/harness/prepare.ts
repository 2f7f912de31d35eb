// Prerequisites of the e2e run, checked outside the namespace where the network may still be needed:
// the LiveKit binary (built once if absent), Debian's Chromium, and a fresh client build.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { ensureLiveKitBinary } from '../../../scripts/livekit/binary';
import { CHROMIUM_PATH } from './browser';

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

function buildClient(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`client build (npm run build) failed with exit code ${String(code)}`))));
  });
}

export async function prepare(): Promise<Prepared> {
  let started = performance.now();
  const liveKitBinary = await ensureLiveKitBinary();
  console.log(`[e2e] LiveKit binary: ${liveKitBinary} (${seconds(started)})`);

  await requireChromium();
  console.log(`[e2e] browser: ${CHROMIUM_PATH}`);

  started = performance.now();
  await buildClient();
  console.log(`[e2e] client built in ${seconds(started)}`);
  return { liveKitBinary };
}
