// One Debian Chromium process per participant, driven by playwright-core, with the fixed flags below
// (plus, on request, a Y4M file for the fake camera: --use-file-for-fake-video-capture, and switches a
// test names, such as two fake cameras). With these flags getDisplayMedia already works headless:
// --use-fake-ui-for-media-stream picks the screen and the fake device draws it (1280x720, green).
//
// Playwright's own default switches are all dropped (ignoreDefaultArgs: true); the only additions are
// what its transport needs: the profile dir, the debugging pipe and the first page.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { recordPeerConnections } from './stats';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The browser tests' Chromium flags. Each Chromium also gets a fresh --user-data-dir.
 *   - headless, as root in a network namespace without a display: --headless --no-sandbox --disable-gpu
 *   - nothing but the test's own traffic, which must stay on 127.0.0.0/8: --disable-quic
 *     --no-first-run --disable-background-networking --disable-component-update --disable-sync
 *   - fake camera, microphone and screen, allowed without a prompt: --use-fake-ui-for-media-stream
 *     --use-fake-device-for-media-stream
 *   - WebRTC over loopback with plain 127.0.0.1 candidates, not mDNS names: --allow-loopback-in-peer-connection
 *     --disable-features=WebRtcHideLocalIpsWithMdns
 */
const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export interface Participant {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Console messages, page errors and crashes, in order, prefixed with the participant's name. */
  log: string[];
  /** How many of `log`'s lines have been printed already. */
  printed: number;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** A Y4M file (tests/e2e/harness/pattern.ts) the fake camera plays in a loop, instead of Chromium's own pattern. */
  fakeVideo?: string;
  /** More switches after CHROMIUM_FLAGS (e.g. `--use-fake-device-for-media-stream=device-count=2`, whose value a later switch sets). */
  extraArgs?: readonly string[];
}

export async function launchParticipant(name: string, origin: string, options: LaunchOptions = {}): Promise<Participant> {
  const userDataDir = await mkdtemp(join(tmpdir(), `sealroom-e2e-${name}-`));
  const fakeVideo = options.fakeVideo === undefined ? [] : [`--use-file-for-fake-video-capture=${options.fakeVideo}`];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ignoreDefaultArgs: true,
    args: [...CHROMIUM_FLAGS, ...fakeVideo, ...(options.extraArgs ?? []), `--user-data-dir=${userDataDir}`, '--remote-debugging-pipe', 'about:blank'],
  });
  await context.grantPermissions(['camera', 'microphone'], { origin });
  await recordPeerConnections(context);
  const page = context.pages()[0] ?? (await context.newPage());

  const log: string[] = [];
  page.on('console', (message) => log.push(`[${name}] console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => log.push(`[${name}] page error: ${error.stack ?? error.message}`));
  page.on('crash', () => log.push(`[${name}] page crashed`));

  let closed = false;
  return {
    name,
    context,
    page,
    log,
    printed: 0,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

const LOG_LINE_CHARS = 500;

/** Prints what each participant logged since the last call (lines cut to 500 characters); called when a test fails. */
export function printLogs(participants: readonly Pick<Participant, 'name' | 'log' | 'printed'>[]): void {
  for (const participant of participants) {
    const fresh = participant.log.slice(participant.printed);
    participant.printed = participant.log.length;
    const lines = fresh.map((line) => (line.length > LOG_LINE_CHARS ? `${line.slice(0, LOG_LINE_CHARS)}…` : line));
    console.error(`--- browser log of ${participant.name} (${fresh.length} new lines) ---\n${lines.join('\n')}`);
  }
}
