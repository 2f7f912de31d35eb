// Names and knock codes in real browsers (issue 11, items 3 and 7; decision 0015): the guest's
// lobby shows the same knock code the host sees beside the knock; a 49-letter Arabic name gets a
// clear error in the lobby and a 48-letter one knocks and is admitted; a knock under a member's
// name with another key is flagged and its admit asks again; and a right-to-left name next to
// "· host" in the member list keeps its place (the name is isolated in a <bdi>).
import { mkdir } from 'node:fs/promises';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUES } from '../../client/src/lib/i18n/catalogues';
import { printLogs } from './harness/browser';
import { ROOT } from './harness/isolation';
import { launchMember, type Member } from './harness/members';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { createRoom, join } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };
const SHOTS = joinPath(ROOT, 'test-results', 'screenshots');
const HOST_NAME = 'سارة';
const letters = (n: number) => 'ب'.repeat(n);
const knocks = (m: Member) => m.page.getByTestId('knock').count();
const pageErrors = (m: Member) => m.log.filter((line) => line.includes('page error'));

/**
 * The member list and the knock list stay inside the side panel: a 48-letter name without a space,
 * a warning or a confirmation wraps or is cut with an ellipsis instead of widening every section.
 */
async function expectInsidePanel(m: Member): Promise<void> {
  const widths = await m.page.locator('.side-panel').evaluate((panel) =>
    ['.members', '.knocks'].map((selector) => {
      const section = panel.querySelector(selector)!;
      return { selector, right: Math.round(section.getBoundingClientRect().right), scroll: section.scrollWidth, client: section.clientWidth, panelRight: Math.round(panel.getBoundingClientRect().right) };
    }),
  );
  for (const w of widths) {
    expect(w.scroll, w.selector).toBeLessThanOrEqual(w.client);
    expect(w.right, w.selector).toBeLessThanOrEqual(w.panelRight);
  }
}

describe('names and knock codes', () => {
  let server: TestServer | undefined;
  const people: Member[] = [];
  let host: Member;
  let guest: Member;
  let mallory: Member;
  let link = '';

  beforeAll(async () => {
    server = await startTestServer();
    host = await launchMember('host', server.origin, PATTERNS[0]!);
    guest = await launchMember('guest', server.origin, PATTERNS[1]!);
    mallory = await launchMember('mallory', server.origin, PATTERNS[2]!);
    people.push(host, guest, mallory);
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  it('refuses a 49-letter name in the lobby with a clear error, and nothing is sent', async () => {
    link = await createRoom(host.page, server!.origin);
    await join(host.page, HOST_NAME);
    await guest.page.goto(link);
    await guest.page.getByTestId('display-name').fill(letters(49));
    const error = guest.page.getByTestId('name-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toBe('Names can have at most 48 characters; this one has 49.');
    expect(await guest.page.getByTestId('join').isDisabled()).toBe(true);
    expect(await guest.page.getByTestId('display-name').inputValue()).toBe(letters(49)); // not cut behind the person's back
    expect(await knocks(host)).toBe(0);
    expect(pageErrors(guest)).toEqual([]);
  });

  it('lets a 48-letter Arabic name knock; the host sees the same knock code as the guest’s lobby', async () => {
    await guest.page.getByTestId('display-name').fill(letters(48));
    await waitUntil('the error gone', () => guest.page.getByTestId('name-error').count(), (n) => n === 0, WAIT);
    await guest.page.getByTestId('join').click();
    await waitUntil('one knock', () => knocks(host), (n) => n === 1, WAIT);
    const knock = host.page.getByTestId('knock').first();
    expect(await knock.getByTestId('knock-name').textContent()).toBe(letters(48));
    const seen = await knock.getByTestId('knock-code').getAttribute('data-code');
    const own = await waitUntil('the guest’s own knock code', () => guest.page.getByTestId('own-knock-code').getAttribute('data-code', { timeout: 1000 }), (c) => c !== null, WAIT);
    expect(seen).toMatch(/^\d{3} \d{3}$/);
    expect(own).toBe(seen);
    await mkdir(SHOTS, { recursive: true });
    await guest.page.locator('.join-card').screenshot({ path: joinPath(SHOTS, 'names-guest-lobby.png') });
    expect(await knock.getByTestId('knock-flag').count()).toBe(0);
    await knock.getByTestId('admit').click();
    await waitUntil('the guest in the member list', () => guest.page.getByTestId('member').count(), (n) => n === 2, WAIT);
    expect(pageErrors(guest)).toEqual([]);
  });

  it('flags a knock under the host’s name with another key; admit asks again beside the warning', async () => {
    await mallory.page.goto(link);
    await join(mallory.page, HOST_NAME);
    await waitUntil('one knock', () => knocks(host), (n) => n === 1, WAIT);
    const knock = host.page.getByTestId('knock').first();
    expect(await knock.getAttribute('data-flagged')).toBe('true');
    const flag = knock.getByTestId('knock-flag');
    expect(await flag.getAttribute('data-kind')).toBe('like-member');
    expect(await flag.textContent()).toContain(CATALOGUES.en['knocks.flagLikeMember'].split('{name}')[0]!);
    expect(await host.page.getByTestId('admit-all').count()).toBe(0); // admit-all never takes a flagged knock
    await knock.getByTestId('admit').click();
    await knock.getByTestId('admit-confirm').waitFor({ timeout: 10_000 });
    await host.page.locator('section.knocks').screenshot({ path: joinPath(SHOTS, 'names-knock-list.png') });
    await expectInsidePanel(host);
    await knock.getByTestId('admit-cancel').click();
    await knock.getByTestId('deny').click();
    await waitUntil('the knock gone', () => knocks(host), (n) => n === 0, WAIT);
    expect(await host.page.getByTestId('member').count()).toBe(2);
    await expectInsidePanel(host);
  });

  it('renders a right-to-left name before "· host" in a left-to-right page', async () => {
    const row = guest.page.locator('[data-testid=member]').filter({ hasText: HOST_NAME });
    const layout = await row.locator('.member-name').evaluate((span) => {
      const bdi = span.querySelector('bdi');
      const suffix = bdi?.nextSibling;
      if (!bdi || !suffix) return undefined;
      const range = document.createRange();
      range.selectNodeContents(suffix);
      const name = bdi.getBoundingClientRect();
      const rest = range.getBoundingClientRect();
      return { tag: bdi.tagName, name: bdi.textContent, suffix: suffix.textContent, nameRight: name.right, restLeft: rest.left, sameLine: Math.abs(name.top - rest.top) < name.height };
    });
    expect(layout).toBeDefined();
    expect(layout!.tag).toBe('BDI');
    expect(layout!.name).toBe(HOST_NAME);
    expect(layout!.suffix).toBe(` · ${CATALOGUES.en['members.host']}`);
    expect(layout!.sameLine).toBe(true);
    expect(layout!.nameRight).toBeLessThanOrEqual(layout!.restLeft + 1);
  });
});
