// The call view's layouts in a real three-person call, at a desktop size (1280x800) and a portrait
// tablet size (820x1180): grid, speaker view, screen-share view and the settings dialog. Each is
// saved as a screenshot (test-results/screenshots, or docs/screenshots when refreshing) and measured: the controls stay inside the window,
// do not overlap each other, the call view or the header, and no tile or screen overflows the call
// view or overlaps another (harness/layout-check.ts).
import { mkdir } from 'node:fs/promises';
import { join as joinPath } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { printLogs } from './harness/browser';
import { ROOT } from './harness/isolation';
import { layoutProblems } from './harness/layout-check';
import { launchMember, type Member, ownId } from './harness/members';
import { callView } from './harness/media-ui';
import { waitForDecodedVideo } from './harness/frames';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 500 };
/** test-results by default; SEALROOM_SCREENSHOTS=docs/screenshots refreshes the ones the README shows. */
const SHOTS = joinPath(ROOT, process.env['SEALROOM_SCREENSHOTS'] ?? joinPath('test-results', 'screenshots'));
const SIZES = [
  { width: 1280, height: 800 },
  { width: 820, height: 1180 },
] as const;

describe('call layouts on a desktop and a tablet', () => {
  let server: TestServer | undefined;
  const members: Member[] = [];
  let host: Member;
  let sharerId = '';

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    server = await startTestServer();
    for (const [i, name] of ['host', 'guest-1', 'guest-2'].entries()) members.push(await launchMember(name, server.origin, PATTERNS[i]!));
    host = members[0]!;
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(members));
  });

  /** Lets the layout settle once every video shows decoded frames, checks it, and saves it. */
  async function checkAndSave(page: Page, name: string): Promise<void> {
    const { width, height } = page.viewportSize()!;
    await waitForDecodedVideo(page, 1, WAIT);
    const problems = await waitUntil(`a ${name} layout without problems at ${width}x${height}`, () => layoutProblems(page), (found) => found.length === 0, { timeoutMs: 10_000, intervalMs: 250 }).catch(async () => layoutProblems(page));
    await page.screenshot({ path: joinPath(SHOTS, `call-${name}-${width}x${height}.png`) });
    expect(problems, `${name} at ${width}x${height}`).toEqual([]);
  }

  it('lets two guests in', async () => {
    const link = await createRoom(host.page, server!.origin);
    await join(host.page, 'Alice');
    for (const [i, guest] of members.slice(1).entries()) {
      await guest.page.goto(link);
      await join(guest.page, ['Bob', 'Carol'][i]!);
      await admitFirstKnock(host.page);
    }
    for (const m of members) await waitForTiles(m.page, 3, WAIT);
    sharerId = await ownId(members[1]!.page);
  });

  for (const size of SIZES) {
    it(`lays out the grid, the speaker view and the settings at ${size.width}x${size.height}`, async () => {
      await host.page.setViewportSize(size);
      await checkAndSave(host.page, 'grid');
      await host.page.getByTestId('toggle-layout').click();
      await waitUntil('the speaker view', () => callView(host.page), (view) => view === 'speaker', WAIT);
      await checkAndSave(host.page, 'speaker');
      // The speaker's tile is the big one.
      const sizes = await host.page.locator('[data-testid=call-view] [data-testid=tile]').evaluateAll((tiles) => tiles.map((t) => t.getBoundingClientRect().width));
      expect(Math.max(...sizes)).toBeGreaterThan(2 * Math.min(...sizes));
      await host.page.getByTestId('toggle-layout').click();
      await waitUntil('the grid again', () => callView(host.page), (view) => view === 'grid', WAIT);

      await host.page.getByTestId('open-settings').click();
      await host.page.getByTestId('settings-dialog').waitFor({ state: 'visible' });
      await host.page.screenshot({ path: joinPath(SHOTS, `call-settings-${size.width}x${size.height}.png`) });
      const dialog = (await host.page.getByTestId('settings-dialog').boundingBox())!;
      expect(dialog.x).toBeGreaterThanOrEqual(0);
      expect(dialog.y + dialog.height).toBeLessThanOrEqual(size.height);
      await host.page.keyboard.press('Escape');
      await host.page.getByTestId('settings-dialog').waitFor({ state: 'hidden' });
    });
  }

  it('shows a shared screen large on both sizes, the people in a strip below it', async () => {
    const sharer = members[1]!;
    await sharer.page.getByTestId('toggle-screen').click();
    await host.page.locator(`[data-testid=screen-share][data-participant="${sharerId}"] video`).waitFor({ state: 'visible', timeout: WAIT.timeoutMs });
    for (const size of SIZES) {
      await host.page.setViewportSize(size);
      await checkAndSave(host.page, 'screen-share');
      const [screen, tile] = await Promise.all([host.page.getByTestId('screen-share').boundingBox(), host.page.locator('[data-testid=call-view] [data-testid=tile]').first().boundingBox()]);
      expect(screen!.y + screen!.height).toBeLessThanOrEqual(tile!.y + 1);
      expect(screen!.width).toBeGreaterThan(2 * tile!.width);
    }
    await sharer.page.getByTestId('toggle-screen').click();
    await waitUntil('the grid again', () => callView(host.page), (view) => view === 'grid', WAIT);
  });
});
