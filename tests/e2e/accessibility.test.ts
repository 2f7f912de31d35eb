// Accessibility: axe-core (WCAG 2.x A and AA rules) finds no violation on the start page, the
// guest lobby, the call and the verification view, and the main flow works from the keyboard.
// Screenshots of each view are saved (test-results/screenshots, or SEALROOM_SCREENSHOTS=docs/screenshots
// to refresh the ones the README shows); the call is shot only once every tile shows decoded video.
import { mkdir } from 'node:fs/promises';
import { join as joinPath } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { violations } from './harness/axe';
import { printLogs } from './harness/browser';
import { waitForDecodedVideo } from './harness/frames';
import { launchMember, type Member } from './harness/members';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, join, waitForTiles } from './harness/ui';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };
const SHOTS = process.env['SEALROOM_SCREENSHOTS'] ?? 'test-results/screenshots';

async function shot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: joinPath(SHOTS, `${name}.png`) });
}

describe('accessibility', () => {
  let server: TestServer | undefined;
  const people: Member[] = [];
  let host: Member;
  let guest: Member;
  let link = '';

  beforeAll(async () => {
    server = await startTestServer();
    host = await launchMember('host', server.origin, PATTERNS[0]!);
    guest = await launchMember('guest', server.origin, PATTERNS[1]!);
    people.push(host, guest);
    for (const p of people) await p.page.setViewportSize({ width: 1280, height: 800 });
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  it('has no violations on the start page, and creates a room from the keyboard', async () => {
    await host.page.goto(`${server!.origin}/`);
    await host.page.getByTestId('room-title').waitFor({ timeout: 30_000 });
    expect(await violations(host.page)).toEqual([]);
    await host.page.getByTestId('room-title').focus();
    await host.page.keyboard.type('Team sync');
    await host.page.keyboard.press('Enter'); // submits the form
    link = await host.page.getByTestId('share-link').inputValue({ timeout: 30_000 });
    expect(link).toContain('#');
  });

  it('has no violations in the guest lobby', async () => {
    await guest.page.goto(link);
    await guest.page.getByTestId('display-name').waitFor({ timeout: 30_000 });
    await guest.page.getByTestId('display-name').fill('Bob');
    expect(await violations(guest.page)).toEqual([]);
    await shot(guest.page, 'lobby');
  });

  it('has no violations in the call, with the side panel', async () => {
    await join(host.page, 'Alice');
    await guest.page.getByTestId('join').press('Enter');
    await admitFirstKnock(host.page);
    await waitForTiles(host.page, 2, WAIT);
    await waitForTiles(guest.page, 2, WAIT);
    await host.page.getByTestId('call-code').waitFor({ timeout: 30_000 });
    expect(await violations(host.page)).toEqual([]);
    expect(await violations(guest.page)).toEqual([]);
    await waitForDecodedVideo(host.page, 2, WAIT);
    await shot(host.page, 'call');
  });

  it('has no violations in the verification view, which opens and closes from the keyboard', async () => {
    await host.page.getByTestId('verify-member').first().focus();
    await host.page.keyboard.press('Enter');
    const dialog = host.page.getByRole('dialog');
    await dialog.waitFor({ timeout: 10_000 });
    expect(await violations(host.page)).toEqual([]);
    await shot(host.page, 'verification');
    await host.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  });
});
