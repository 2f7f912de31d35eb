// Browser engines by name, behind one small page API, so a test says which engines it runs on
// (`for (const engine of ENGINES)`, or a host/guest pair) instead of being copied per engine.
//   chromium: Debian's Chromium through playwright-core (browser.ts, the flags the harness documents there);
//   firefox:  Debian's Firefox ESR through puppeteer-core over WebDriver BiDi (firefox.ts).
// Both get the peer-connection recorder (stats.ts) and any init scripts before the first page
// loads. close() always closes the browser and deletes its profile; call it from afterAll, and it
// is safe to call twice.
import type { Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { launchParticipant } from './browser';
import { launchFirefox } from './firefox';
import { PEER_CONNECTION_RECORDER } from './stats';

export type Engine = 'chromium' | 'firefox';
export const ENGINES: readonly Engine[] = ['chromium', 'firefox'];

/** What a test may do with a page, in every engine. Page code is passed as strings (see stats.ts). */
export interface EnginePage {
  readonly engine: Engine;
  goto(url: string): Promise<void>;
  /** The address the page shows now. */
  url(): string;
  /** Evaluates a JavaScript expression in the page; a promise is awaited. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Clicks the first element matching the CSS selector, once it is visible and enabled. */
  click(selector: string): Promise<void>;
  /** Types `value` into the first input matching the CSS selector, replacing what was there. */
  fill(selector: string, value: string): Promise<void>;
  screenshot(path: string): Promise<void>;
}

export interface EngineParticipant {
  readonly name: string;
  readonly engine: Engine;
  readonly page: EnginePage;
  /** Console messages and page errors, in order, prefixed with the name (browser.ts printLogs). */
  readonly log: string[];
  printed: number;
  close(): Promise<void>;
}

export interface EngineLaunchOptions {
  /** Chromium only: a Y4M file for the fake camera (pattern.ts). Firefox's fake camera is its own (fake-camera.ts). */
  fakeVideo?: string;
  /** Scripts run in every document before its own scripts. */
  initScripts?: readonly string[];
  /** Firefox only: an X display (xvfb.ts) to share as the screen. */
  display?: string;
}

const ACTION_TIMEOUT_MS = 10_000;

function chromiumPage(page: PlaywrightPage): EnginePage {
  return {
    engine: 'chromium',
    goto: async (url) => void (await page.goto(url)),
    url: () => page.url(),
    evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    click: (selector) => page.locator(selector).first().click({ timeout: ACTION_TIMEOUT_MS }),
    fill: (selector, value) => page.locator(selector).first().fill(value, { timeout: ACTION_TIMEOUT_MS }),
    screenshot: async (path) => void (await page.screenshot({ path })),
  };
}

/**
 * The first visible, enabled element matching `selector`, looked for from Node every 100 ms.
 * - Not puppeteer's Locator, nor `waitForFunction`: both run their predicate in the page through
 *   `new Function`, which the app's CSP blocks (firefox-esr 140.10 logs "Permission denied to access
 *   property \"length\"" and a blocked eval), so every action timed out.
 * - Not `waitForSelector(..., { visible: true })` either: a visibility wait polls on
 *   requestAnimationFrame, and a Firefox given an X display (the screen-sharing guest on Xvfb) may
 *   not run animation frames, so its first action timed out with the field on screen (most runs
 *   under load, and a fresh-clone CI run).
 */
async function actionable(page: PuppeteerPage, selector: string) {
  const css = `:is(${selector}):not([disabled])`;
  const deadline = Date.now() + ACTION_TIMEOUT_MS;
  for (;;) {
    for (const handle of await page.$$(css)) {
      if (await handle.isVisible()) return handle;
      await handle.dispose();
    }
    if (Date.now() > deadline) throw new Error(`no visible, enabled element matches ${selector} after ${ACTION_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function firefoxPage(page: PuppeteerPage): EnginePage {
  return {
    engine: 'firefox',
    goto: async (url) => void (await page.goto(url)),
    url: () => page.url(),
    evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    click: async (selector) => (await actionable(page, selector)).click(),
    fill: async (selector, value) => {
      const input = await actionable(page, selector);
      await input.evaluate((element) => {
        (element as HTMLInputElement).value = '';
      });
      await input.type(value);
    },
    screenshot: async (path) => void (await page.screenshot({ path: path as `${string}.png` })),
  };
}

async function launchChromium(name: string, origin: string, options: EngineLaunchOptions): Promise<EngineParticipant> {
  const person = await launchParticipant(name, origin, options.fakeVideo === undefined ? {} : { fakeVideo: options.fakeVideo });
  try {
    for (const content of options.initScripts ?? []) await person.context.addInitScript({ content });
  } catch (error) {
    await person.close();
    throw error;
  }
  return { name, engine: 'chromium', page: chromiumPage(person.page), log: person.log, printed: 0, close: () => person.close() };
}

async function launchFirefoxParticipant(name: string, options: EngineLaunchOptions): Promise<EngineParticipant> {
  const session = await launchFirefox(name, options.display === undefined ? {} : { display: options.display });
  const log: string[] = [];
  const { page } = session;
  try {
    page.on('console', (message) => log.push(`[${name}] console.${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => log.push(`[${name}] page error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    for (const script of [PEER_CONNECTION_RECORDER, ...(options.initScripts ?? [])]) await page.evaluateOnNewDocument(script);
  } catch (error) {
    await session.close();
    throw error;
  }
  return { name, engine: 'firefox', page: firefoxPage(page), log, printed: 0, close: () => session.close() };
}

/** Starts one participant's browser in `engine`; `origin` is the app's (Chromium grants it camera and microphone). */
export function launchEngine(engine: Engine, name: string, origin: string, options: EngineLaunchOptions = {}): Promise<EngineParticipant> {
  return engine === 'chromium' ? launchChromium(name, origin, options) : launchFirefoxParticipant(name, options);
}
