// Finds the pinned LiveKit server binary, and builds it once into a per-user cache when it is absent.
//
// Order: $LIVEKIT_SERVER_BIN, a `livekit-server` on PATH that reports the pinned version, then the
// cache ($HOME/.cache/sealroom/livekit/<version>/livekit-server). Nothing is ever written to the repo.
import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * The LiveKit server version Sealroom is built and tested against. Keep the pin until a newer version
 * is proven here: later versions may carry `replace` directives in go.mod that break `go install`.
 */
export const LIVEKIT_VERSION = '1.13.5';
/** LiveKit v1.13.5's go.mod says `go 1.26`, and the build runs with GOTOOLCHAIN=local. */
const GO_MINIMUM: readonly [number, number] = [1, 26];
const EXPECTED_VERSION_LINE = `livekit-server version ${LIVEKIT_VERSION}`;

export class LiveKitBinaryError extends Error {
  override name = 'LiveKitBinaryError';
}

function liveKitCacheDir(): string {
  return join(homedir(), '.cache', 'sealroom', 'livekit', LIVEKIT_VERSION);
}

/** Runs a program and returns its stdout, or undefined when it cannot run or exits non-zero. */
function output(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 15_000 }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function isPinned(path: string): Promise<boolean> {
  return (await isExecutable(path)) && (await output(path, ['--version'])) === EXPECTED_VERSION_LINE;
}

/** Resolves an existing binary without building. Returns undefined when none is found. */
export async function findLiveKitBinary(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const override = env['LIVEKIT_SERVER_BIN'];
  if (override !== undefined && override !== '') {
    if (!(await isPinned(override))) {
      const seen = (await isExecutable(override)) ? (await output(override, ['--version']))?.split('\n')[0] : 'not an executable file';
      throw new LiveKitBinaryError(
        `LIVEKIT_SERVER_BIN=${override} must be livekit-server ${LIVEKIT_VERSION} (got: ${seen ?? 'no answer to --version'}).`,
      );
    }
    return override;
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'livekit-server');
    if (await isPinned(candidate)) return candidate;
  }
  const cached = join(liveKitCacheDir(), 'livekit-server');
  if (await isPinned(cached)) return cached;
  // `go install` names the binary after its package directory: `server`.
  const built = join(liveKitCacheDir(), 'server');
  if (await isPinned(built)) {
    await rename(built, cached);
    return cached;
  }
  return undefined;
}

function missingGoMessage(found: string): string {
  const [major, minor] = GO_MINIMUM;
  return [
    `LiveKit ${LIVEKIT_VERSION} is not installed, and building it needs Go ${major}.${minor} or newer (found: ${found}).`,
    `Install Go ${major}.${minor}: Debian's golang-go if your release ships ${major}.${minor}, or the official tarball from https://go.dev/dl/.`,
    `Or set LIVEKIT_SERVER_BIN to a livekit-server ${LIVEKIT_VERSION} binary,`,
    'or (for `npm start`) use an existing LiveKit by setting LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET.',
  ].join('\n');
}

async function requireGo(env: NodeJS.ProcessEnv): Promise<void> {
  const version = await output('go', ['env', 'GOVERSION'], { ...env, GOTOOLCHAIN: 'local' });
  if (version === undefined) throw new LiveKitBinaryError(missingGoMessage('no `go` on PATH'));
  const match = /^go(\d+)\.(\d+)/.exec(version);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  if (major < GO_MINIMUM[0] || (major === GO_MINIMUM[0] && minor < GO_MINIMUM[1])) {
    throw new LiveKitBinaryError(missingGoMessage(version));
  }
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

/** Resolves the binary, building it once with `go install` when it is nowhere to be found. */
export async function ensureLiveKitBinary(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const found = await findLiveKitBinary(env);
  if (found !== undefined) return found;

  await requireGo(env);
  const cacheDir = liveKitCacheDir();
  await mkdir(cacheDir, { recursive: true });
  console.log(`building LiveKit v${LIVEKIT_VERSION} once (about 2–3 minutes on 2 cores)…`);
  const started = performance.now();
  const code = await run('go', ['install', `github.com/livekit/livekit-server/cmd/server@v${LIVEKIT_VERSION}`], {
    ...env,
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOBIN: cacheDir,
  });
  if (code !== 0) throw new LiveKitBinaryError(`go install of LiveKit v${LIVEKIT_VERSION} failed with exit code ${code}.`);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const binary = await findLiveKitBinary({ ...env, LIVEKIT_SERVER_BIN: '', PATH: '' });
  if (binary === undefined) {
    throw new LiveKitBinaryError(`go install finished, but ${cacheDir}/server does not report "${EXPECTED_VERSION_LINE}".`);
  }
  console.log(`built LiveKit v${LIVEKIT_VERSION} in ${seconds} s: ${binary}`);
  return binary;
}
