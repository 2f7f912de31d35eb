// A virtual X display for the one thing headless Firefox cannot do alone: share a screen. Headless
// Firefox has no screen, and getDisplayMedia fails with NotFoundError; with DISPLAY pointing at an
// X server, its screen capturer (libwebrtc's X11 one) captures that server's root window, even
// while Firefox itself stays headless. Debian's Xvfb, on a Unix socket only (-nolisten tcp), with
// a white root window (-wr), so a receiver can tell a decoded screen from a black, dead one.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

export const XVFB_PATH = '/usr/bin/Xvfb';
const SCREEN = { width: 1280, height: 720 } as const;
const START_TIMEOUT_MS = 10_000;

export interface VirtualDisplay {
  /** The DISPLAY value, e.g. ':99'. */
  readonly display: string;
  close(): Promise<void>;
}

/** Starts Xvfb on a display number it picks itself (-displayfd); stops it on close(). */
export async function startVirtualDisplay(): Promise<VirtualDisplay> {
  try {
    await access(XVFB_PATH, constants.X_OK);
  } catch {
    throw new Error(`${XVFB_PATH} not found: Firefox's screen-share test needs Debian's Xvfb: apt-get install xvfb (or run .ci/run, which installs it)`);
  }
  const child = spawn(XVFB_PATH, ['-displayfd', '3', '-nolisten', 'tcp', '-wr', '-screen', '0', `${SCREEN.width}x${SCREEN.height}x24`], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const display = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Xvfb did not report a display within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`)), START_TIMEOUT_MS);
    let out = '';
    const fd3 = child.stdio[3] as NodeJS.ReadableStream | null;
    fd3?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited with code ${String(code)} before reporting a display: ${stderr.trim()}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });
  return {
    display,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
