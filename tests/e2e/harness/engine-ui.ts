// Sealroom's UI through its data-testid contract, in any engine (engines.ts's EnginePage): the same
// flows as ui.ts and members.ts (which stay on playwright for the Chromium-only tests), written with
// nothing but goto, click, fill and evaluate.
import type { CallCodeView } from './members';
import type { EnginePage } from './engines';
import type { Tile } from './ui';
import { type WaitOptions, waitUntil } from './wait';

const ROOM_PATH = /\/r\/[A-Za-z0-9_-]{22}$/;

export const testid = (id: string): string => `[data-testid="${id}"]`;

/** How many elements match the CSS selector. */
export function count(page: EnginePage, selector: string): Promise<number> {
  return page.evaluate<number>(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
}

/** Waits until `count` elements match the selector. */
export function waitForCount(page: EnginePage, selector: string, expected: number, options?: WaitOptions): Promise<number> {
  return waitUntil(`${expected} element(s) matching ${selector} (${page.engine})`, () => count(page, selector), (n) => n === expected, options);
}

/** An attribute of the first element matching the selector (null when absent or no element). */
export function attribute(page: EnginePage, selector: string, name: string): Promise<string | null> {
  return page.evaluate<string | null>(`document.querySelector(${JSON.stringify(selector)})?.getAttribute(${JSON.stringify(name)}) ?? null`);
}

/**
 * Waits until `expected` remote tiles say `encrypted`. A tile's state follows the media Worker's
 * stats, posted every half second, so it may trail the first decoded picture; a timeout names every
 * remote tile's state.
 */
export function waitForEncryptedTiles(page: EnginePage, expected: number, options?: WaitOptions): Promise<(string | null)[]> {
  return waitUntil(
    `${expected} remote tile(s) saying encrypted (${page.engine})`,
    () => page.evaluate<(string | null)[]>(`[...document.querySelectorAll('${testid('tile')}:not([data-local="true"])')].map((e) => e.getAttribute('data-security'))`),
    (states) => states.length === expected && states.every((s) => s === 'encrypted'),
    options,
  );
}

/** Home page -> new room. Returns the share link (with its #fragment) that the host's page shows. */
export async function createRoomIn(page: EnginePage, origin: string): Promise<string> {
  await page.goto(`${origin}/`);
  await page.click(testid('new-room'));
  await waitUntil(`the room page (${page.engine})`, () => new URL(page.url()).pathname, (path) => ROOM_PATH.test(path));
  return waitUntil(
    `a share link with a #fragment on the room page (${page.engine})`,
    () => page.evaluate<string>(`document.querySelector('${testid('share-link')}')?.value ?? ''`),
    (link) => link.startsWith(`${origin}/r/`) && /#.+/.test(link),
  );
}

/** Types a display name and presses join (the host starts the call; a guest knocks). */
export async function joinAs(page: EnginePage, displayName: string): Promise<void> {
  await page.fill(testid('display-name'), displayName);
  await page.click(testid('join'));
}

/** Waits for exactly `expected` pending knocks on the host's page, then admits the first. */
export async function admitKnock(page: EnginePage, expected = 1): Promise<void> {
  await waitForCount(page, testid('knock'), expected);
  await page.click(`${testid('knock')} ${testid('admit')}`);
}

function tilesOf(page: EnginePage): Promise<Tile[]> {
  return page.evaluate<Tile[]>(`[...document.querySelectorAll('${testid('grid')} ${testid('tile')}')].map((e) => ({
    participant: e.getAttribute('data-participant'),
    local: e.getAttribute('data-local') === 'true',
    hasVideo: e.querySelector('video') !== null,
  }))`);
}

/** Waits for exactly `expected` tiles, each already holding its <video>. */
export function waitForTilesIn(page: EnginePage, expected: number, options?: WaitOptions): Promise<Tile[]> {
  return waitUntil(
    `${expected} tile(s), each with a <video>, in the call grid (${page.engine})`,
    () => tilesOf(page),
    (found) => found.length === expected && found.every((tile) => tile.hasVideo),
    options,
  );
}

/** This page's own participant id, from its local tile. */
export function ownIdIn(page: EnginePage, options?: WaitOptions): Promise<string> {
  return waitUntil(
    `own tile (${page.engine})`,
    () => attribute(page, `${testid('tile')}[data-local="true"]`, 'data-participant'),
    (id): id is string => id !== null,
    options,
  ) as Promise<string>;
}

export async function callCodeIn(page: EnginePage): Promise<CallCodeView> {
  return page.evaluate<CallCodeView>(`(() => {
    const code = document.querySelector('${testid('call-code')}');
    return { epoch: Number(code?.getAttribute('data-epoch') ?? NaN), digits: code?.textContent ?? '' };
  })()`);
}

/** Waits until the page's call security code is for `epoch` or later. */
export function waitForEpochIn(page: EnginePage, epoch: number, options?: WaitOptions): Promise<CallCodeView> {
  return waitUntil(`call code for epoch ${epoch} or later (${page.engine})`, () => callCodeIn(page), (code) => code.epoch >= epoch, options);
}
