// Runs one LiveKit server process: spawn, wait until `GET /` answers 200, stop with SIGTERM then SIGKILL.
//
// LiveKit can exit with status 0 when it failed to start, so any exit before readiness is a failure.
// The child dies with its parent: a synchronous kill on this process's `exit`, and, where util-linux's
// setpriv exists, a kernel parent-death signal that also covers a parent killed with SIGKILL.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { findLiveKitBinary, LIVEKIT_VERSION } from './binary';
import { type LiveKitConfigOptions, type LiveKitPorts, writeLiveKitConfig } from './config';

export interface StartLiveKitOptions {
  /** Defaults to findLiveKitBinary(); this never builds (it may run where there is no network). */
  binary?: string;
  /** Ports, keys, Redis and TURN (scripts/livekit/config.ts); the loopback single-node defaults otherwise. */
  config?: LiveKitConfigOptions;
  readyTimeoutMs?: number;
}

export interface LiveKitExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LiveKitHandle {
  url: string;
  apiKey: string;
  apiSecret: string;
  ports: LiveKitPorts;
  logFile: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 on `GET /`. */
  readyMs: number;
  /** Settles when the process exits, for whatever reason. */
  exited: Promise<LiveKitExit>;
  /** The last lines of LiveKit's log (empty once stopped). */
  logTail(lines?: number): Promise<string>;
  /** SIGTERM (again after 1 s), then SIGKILL after 5 s; removes the run's temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export class LiveKitStartError extends Error {
  override name = 'LiveKitStartError';
}

const SETPRIV = '/usr/bin/setpriv';
const STOP_GRACE_MS = 5_000;
const RESIGNAL_MS = 1_000;
const POLL_MS = 100;

/** LiveKit's info lines can carry whole SDPs; each tail line is cut to this many characters. */
const TAIL_LINE_CHARS = 400;

async function tail(file: string, lines: number): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    const cut = (line: string) => (line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)}…` : line);
    return text.trimEnd().split('\n').slice(-lines).map(cut).join('\n');
  } catch {
    return '';
  }
}

/** Refuses a busy port: another server answering `GET /` there would look like our readiness. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(new LiveKitStartError(`port 127.0.0.1:${port} is not free for LiveKit (${error.code ?? error.message}).`)),
    );
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

async function answers200(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function spawnLiveKit(binary: string, configFile: string, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    const [file, args] = existsSync(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', binary, '--config', configFile]]
      : [binary, ['--config', configFile]];
    // Own process group, so a terminal's Ctrl-C reaches only our parent, which then stops LiveKit in order.
    return spawn(file, args, { stdio: ['ignore', log, log], detached: true });
  } finally {
    closeSync(log);
  }
}

export async function startLiveKit(options: StartLiveKitOptions = {}): Promise<LiveKitHandle> {
  const binary = options.binary ?? (await findLiveKitBinary());
  if (binary === undefined) {
    throw new LiveKitStartError(`livekit-server ${LIVEKIT_VERSION} not found; run \`npm start\` or \`npm run test:e2e\` once to build it.`);
  }
  const run = await writeLiveKitConfig(options.config);
  const { port } = run.ports;
  try {
    await assertPortFree(port);
  } catch (error) {
    await rm(run.dir, { recursive: true, force: true });
    throw error;
  }

  const started = performance.now();
  const child = spawnLiveKit(binary, run.configFile, run.logFile);
  let exit: LiveKitExit | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<LiveKitExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  child.once('error', (error) => (spawnError = error));
  const killOnParentExit = () => {
    if (exit === undefined) child.kill('SIGKILL');
  };
  process.on('exit', killOnParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exit === undefined && child.pid !== undefined) {
        child.kill('SIGTERM');
        // LiveKit's second signal means "force" (skip waiting for participants to leave). It also
        // covers a first SIGTERM lost in the 100 ms after `GET /` first answers, while LiveKit's
        // Start() has not yet marked itself running and its Stop() returns without stopping.
        const again = setTimeout(() => child.kill('SIGTERM'), RESIGNAL_MS);
        const forced = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(again);
        clearTimeout(forced);
      }
      process.off('exit', killOnParentExit);
      await rm(run.dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const deadline = started + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (spawnError !== undefined || exit !== undefined) {
      const why = spawnError?.message ?? `exited (code ${String(exit?.code)}, signal ${String(exit?.signal)})`;
      const log = await tail(run.logFile, 30);
      await stop();
      throw new LiveKitStartError(`LiveKit ${why} before it was ready. Last log lines:\n${log}`);
    }
    if (await answers200(port)) break;
    if (performance.now() > deadline) {
      const log = await tail(run.logFile, 30);
      await stop();
      throw new LiveKitStartError(`LiveKit did not answer GET / with 200 within ${options.readyTimeoutMs ?? 30_000} ms. Last log lines:\n${log}`);
    }
    await sleep(POLL_MS);
  }
  // A 200 can race with a failing exit (e.g. a port LiveKit could not bind after the HTTP listener).
  if (exit !== undefined) {
    const log = await tail(run.logFile, 30);
    await stop();
    throw new LiveKitStartError(`LiveKit exited right after answering GET /. Last log lines:\n${log}`);
  }

  return {
    url: `ws://127.0.0.1:${port}`,
    apiKey: run.apiKey,
    apiSecret: run.apiSecret,
    ports: run.ports,
    logFile: run.logFile,
    pid: child.pid ?? -1,
    readyMs: Math.round(performance.now() - started),
    exited,
    logTail: (lines = 40) => tail(run.logFile, lines),
    stop,
  };
}
