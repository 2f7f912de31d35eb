// One Debian Firefox ESR process per participant, driven by puppeteer-core over WebDriver BiDi (no
// CDP: Firefox has none). puppeteer-core never downloads a browser; this only ever starts
// FIREFOX_PATH, with a fresh profile directory that close() deletes, and with the prefs below.
//
// Why each media pref (found with firefox-esr in the loopback namespace; still so with 140.10):
//   media.navigator.streams.fake          fake camera (one colour over the whole picture, its hue
//                                         turning: fake-camera.ts) and fake microphone (a tone);
//   media.navigator.permission.disabled   no permission prompt;
//   media.navigator.permission.fake       counts as granted, which is what lets ICE gather host
//                                         candidates in a namespace with no default route;
//   media.peerconnection.ice.loopback     127.0.0.1 may be a candidate;
//   media.peerconnection.ice.no_host / obfuscate_host_addresses   host candidates, not mDNS names;
//   media.autoplay.default = 0            remote media may play without a click.
// The rest keep a test browser off the network: no updates, telemetry, captive-portal or
// connectivity probes, safe-browsing lists, remote settings or search suggestions (puppeteer adds
// its own list of such prefs to the profile as well).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX_PATH = '/usr/lib/firefox-esr/firefox-esr';

/** How long starting Firefox and opening its BiDi session may take before the launch is abandoned. */
const FIREFOX_LAUNCH_TIMEOUT_MS = 30_000;
/** How long close() waits for Firefox to exit before killing it. */
const CLOSE_TIMEOUT_MS = 10_000;

const FIREFOX_MEDIA_PREFS: Readonly<Record<string, boolean | number>> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.navigator.permission.fake': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.no_host': false,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.autoplay.default': 0,
};

const FIREFOX_QUIET_PREFS: Readonly<Record<string, boolean | number | string>> = {
  'app.update.enabled': false,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.search.suggest.enabled': false,
  'browser.search.update': false,
  'browser.topsites.contile.enabled': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.ping-centre.telemetry': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.server': '',
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'services.settings.server': '',
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'geo.enabled': false,
};

export interface FirefoxSession {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

function deadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

function withoutDisplay(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DISPLAY: _display, WAYLAND_DISPLAY: _wayland, ...rest } = env;
  return rest;
}

async function closeBrowser(browser: Browser): Promise<void> {
  const process = browser.process();
  try {
    await deadline(browser.close(), CLOSE_TIMEOUT_MS, 'closing Firefox');
  } catch {
    process?.kill('SIGKILL');
  }
}

export interface FirefoxLaunchOptions {
  /** FIREFOX_PATH unless a test of the harness itself says otherwise. */
  executablePath?: string;
  /** FIREFOX_LAUNCH_TIMEOUT_MS unless said otherwise. */
  timeoutMs?: number;
  /** An X display (xvfb.ts) whose screen getDisplayMedia captures; Firefox itself stays headless. */
  display?: string;
}

/** Where launchFirefox makes `name`'s profile directory: `${profilePrefix(name)}XXXXXX`. */
export const profilePrefix = (name: string): string => join(tmpdir(), `sealroom-e2e-firefox-${name}-`);

/**
 * Starts Firefox on a fresh profile. Whatever fails (the launch, the session, the first page, or
 * the deadline), the browser is killed and the profile deleted before the error is thrown.
 */
export async function launchFirefox(name: string, options: FirefoxLaunchOptions = {}): Promise<FirefoxSession> {
  const timeoutMs = options.timeoutMs ?? FIREFOX_LAUNCH_TIMEOUT_MS;
  const executablePath = options.executablePath ?? FIREFOX_PATH;
  const profile = await mkdtemp(profilePrefix(name));
  // Aborting kills the process group at once; puppeteer's own cleanup of a failed BiDi launch
  // first waits 5 s for a graceful exit that a broken browser never makes.
  const kill = new AbortController();
  const launching = puppeteer.launch({
    signal: kill.signal,
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath,
    headless: true,
    userDataDir: profile,
    timeout: timeoutMs,
    protocolTimeout: 60_000,
    extraPrefsFirefox: { ...FIREFOX_QUIET_PREFS, ...FIREFOX_MEDIA_PREFS },
    env: options.display === undefined ? withoutDisplay(process.env) : { ...process.env, DISPLAY: options.display },
  });
  let browser: Browser | undefined;
  try {
    browser = await deadline(launching, timeoutMs + 5_000, `launching ${executablePath} for ${name}`);
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    const started = browser;
    let closed = false;
    return {
      browser: started,
      page,
      async close() {
        if (closed) return;
        closed = true;
        await closeBrowser(started);
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    kill.abort();
    // A launch that outlived its deadline is closed whenever it does finish.
    if (browser === undefined) void launching.then(closeBrowser, () => undefined);
    else await closeBrowser(browser);
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
