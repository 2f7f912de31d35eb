// Drives Sealroom's UI through its data-testid contract, the way a person would: click, type, read.
import type { Page } from 'playwright-core';
import { type WaitOptions, waitUntil } from './wait';

const ROOM_PATH = /\/r\/[A-Za-z0-9_-]{22}$/;

/** Home page -> new room. Returns the share link (with its #fragment) that the host's page shows. */
export async function createRoom(page: Page, origin: string): Promise<string> {
  await page.goto(`${origin}/`);
  await page.getByTestId('new-room').click();
  await page.waitForURL((url) => ROOM_PATH.test(url.pathname));
  return waitUntil(
    'a share link with a #fragment on the room page',
    () => page.getByTestId('share-link').inputValue({ timeout: 1_000 }),
    (link) => link.startsWith(`${origin}/r/`) && /#.+/.test(link),
  );
}

/** Types a display name and presses join (the host starts the call; a guest knocks). */
export async function join(page: Page, displayName: string): Promise<void> {
  await page.getByTestId('display-name').fill(displayName);
  await page.getByTestId('join').click();
}

export async function waitForLobby(page: Page): Promise<void> {
  await page.getByTestId('lobby-state').waitFor({ state: 'visible', timeout: 30_000 });
}

/** Waits for exactly `count` pending knocks on the host's page, then admits the first. */
export async function admitFirstKnock(page: Page, count = 1): Promise<void> {
  await waitUntil(`${count} pending knock(s)`, () => page.getByTestId('knock').count(), (n) => n === count);
  await page.getByTestId('knock').first().getByTestId('admit').click();
}

export interface Tile {
  participant: string | null;
  local: boolean;
  hasVideo: boolean;
}

/** The call grid as rendered: one entry per tile. */
function tiles(page: Page): Promise<Tile[]> {
  return page
    .getByTestId('grid')
    .getByTestId('tile')
    .evaluateAll((elements) =>
      elements.map((element) => ({
        participant: element.getAttribute('data-participant'),
        local: element.getAttribute('data-local') === 'true',
        hasVideo: element.querySelector('video') !== null,
      })),
    );
}

/** Waits for exactly `count` tiles, each already holding its <video> (a remote one appears once subscribed). */
export function waitForTiles(page: Page, count: number, options?: WaitOptions): Promise<Tile[]> {
  return waitUntil(
    `${count} tile(s), each with a <video>, in the call grid`,
    () => tiles(page),
    (found) => found.length === count && found.every((tile) => tile.hasVideo),
    options,
  );
}

/** The host creates a room at `origin` and joins as `names[0]`; the guest knocks as `names[1]` and is admitted; returns once the guest shows both tiles. */
export async function startCallOfTwo(host: Page, guest: Page, origin: string, names: readonly [string, string], options?: WaitOptions): Promise<void> {
  const link = await createRoom(host, origin);
  await join(host, names[0]);
  await guest.goto(link);
  await join(guest, names[1]);
  await admitFirstKnock(host);
  await waitForTiles(guest, 2, options);
}
