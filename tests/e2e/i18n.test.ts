// Sealroom in French and in Arabic, chosen by the browser's own language with nothing touched
// (Chromium's --accept-lang sets the languages the browser prefers, navigator.languages; --lang, its
// interface language, needs Debian's chromium-l10n and is passed as well): the start page, the guest lobby, the call and the
// verification view, each at 1280x800 and 820x1180, with <html lang dir> set, Arabic mirrored right to
// left, codes kept left to right in Western digits, no overflow or overlap (harness/layout-check.ts for
// the call, harness/page-check.ts elsewhere) and no axe violation. Screenshots: i18n-<lang>-<view>-<size>.png
// in test-results/screenshots, or docs/screenshots with SEALROOM_SCREENSHOTS=docs/screenshots.
// Last, the picker: a member switches language mid-call, the digits stay, the words are the same
// indexes, and the choice outlives a reload.
import { mkdir } from 'node:fs/promises';
import { join as joinPath } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WORDS } from '../../crypto/index';
import { WORDS_AR } from '../../crypto/index';
import { WORDS_FR } from '../../crypto/index';
import { CATALOGUES } from '../../client/src/lib/i18n/catalogues';
import { violations } from './harness/axe';
import { launchParticipant, printLogs, type Participant } from './harness/browser';
import { waitForDecodedVideo } from './harness/frames';
import { ROOT } from './harness/isolation';
import { layoutProblems } from './harness/layout-check';
import { pageProblems } from './harness/page-check';
import { PATTERNS, writePatternY4m } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };
const SHOTS = joinPath(ROOT, process.env['SEALROOM_SCREENSHOTS'] ?? joinPath('test-results', 'screenshots'));
const SIZES = [
  { width: 1280, height: 800 },
  { width: 820, height: 1180 },
] as const;
const LANGUAGES = [
  { locale: 'fr', dir: 'ltr', words: WORDS_FR, host: 'Amélie', guest: 'Bruno' },
  { locale: 'ar', dir: 'rtl', words: WORDS_AR, host: 'ليلى', guest: 'سامي' },
] as const;
const CODE = /^\d{5}( \d{5}){5}$/;

interface Document {
  lang: string;
  dir: string;
  languages: readonly string[];
}

const documentLanguage = (page: Page): Promise<Document> => page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir, languages: navigator.languages }));
const direction = (page: Page, testid: string): Promise<string> => page.getByTestId(testid).first().evaluate((e) => getComputedStyle(e).direction);
const callWords = (page: Page) => page.getByTestId('call-words').evaluate((e) => ({ indexes: e.getAttribute('data-words') ?? '', words: (e.textContent ?? '').split(' · ') }));

async function launch(name: string, origin: string, index: number, locale: string): Promise<Participant> {
  return launchParticipant(name, origin, { fakeVideo: await writePatternY4m(PATTERNS[index]!), extraArgs: [`--lang=${locale}`, `--accept-lang=${locale}`] });
}

for (const language of LANGUAGES) {
  const text = CATALOGUES[language.locale];

  describe(`Sealroom in ${language.locale}`, () => {
    let server: TestServer | undefined;
    const people: Participant[] = [];
    let host: Participant;
    let guest: Participant;

    beforeAll(async () => {
      await mkdir(SHOTS, { recursive: true });
      server = await startTestServer();
      host = await launch(`host-${language.locale}`, server.origin, 0, language.locale);
      guest = await launch(`guest-${language.locale}`, server.origin, 1, language.locale);
      people.push(host, guest);
    });

    afterAll(async () => {
      await Promise.all(people.map((p) => p.close()));
      await server?.close();
    });

    beforeEach(({ onTestFailed }) => {
      onTestFailed(() => printLogs(people));
    });

    /** At each size: no overflow or overlap (the call's own checks in the call), no axe violation, a screenshot. */
    async function checkViews(page: Page, view: string, check: (page: Page) => Promise<string[]>): Promise<void> {
      for (const size of SIZES) {
        await page.setViewportSize(size);
        if (view === 'call') await waitForDecodedVideo(page, 2, WAIT);
        const problems = await waitUntil(`the ${view} without layout problems at ${size.width}x${size.height}`, () => check(page), (found) => found.length === 0, { timeoutMs: 10_000, intervalMs: 250 }).catch(() => check(page));
        await page.screenshot({ path: joinPath(SHOTS, `i18n-${language.locale}-${view}-${size.width}x${size.height}.png`) });
        expect(problems, `${view} at ${size.width}x${size.height}`).toEqual([]);
        expect(await violations(page), `axe on the ${view} at ${size.width}x${size.height}`).toEqual([]);
      }
    }

    it(`opens in ${language.locale}, ${language.dir}, from the browser's language alone`, async () => {
      await host.page.goto(`${server!.origin}/`);
      await host.page.getByTestId('new-room').waitFor({ timeout: 30_000 });
      const doc = await documentLanguage(host.page);
      expect(doc.languages[0]?.split('-')[0]).toBe(language.locale);
      expect({ lang: doc.lang, dir: doc.dir }).toEqual({ lang: language.locale, dir: language.dir });
      expect(await host.page.locator('h1').textContent()).toBe(text['home.title']);
      expect(await host.page.getByTestId('new-room').textContent()).toContain(text['home.create']);
      expect(await host.page.getByTestId('language').inputValue()).toBe(language.locale);
      await checkViews(host.page, 'home', pageProblems);
    });

    it('shows the guest lobby in the language', async () => {
      await host.page.getByTestId('new-room').click();
      const link = await waitUntil('the share link', () => host.page.getByTestId('share-link').inputValue({ timeout: 1_000 }), (l) => l.includes('#'));
      expect(await direction(host.page, 'share-link')).toBe('ltr');
      await guest.page.goto(link);
      await guest.page.getByTestId('display-name').fill(language.guest);
      // The host's page is open in its lobby: the guest may be told the host is here or on the way.
      await waitUntil('the lobby sentence', () => guest.page.getByTestId('lobby-state').textContent({ timeout: 1_000 }), (s) => [text['lobby.hostHere'], text['lobby.hostAway']].includes(s?.trim() ?? ''), WAIT);
      expect(await guest.page.getByTestId('join').textContent()).toBe(text['lobby.knock']);
      await checkViews(guest.page, 'lobby', pageProblems);
    });

    it('lays out the call in the language, mirrored in Arabic, the code left to right in Western digits', async () => {
      await join(host.page, language.host);
      await guest.page.getByTestId('join').click();
      await admitFirstKnock(host.page);
      await waitForTiles(host.page, 2, WAIT);
      await waitForTiles(guest.page, 2, WAIT);
      await host.page.getByTestId('call-code').waitFor({ timeout: 30_000 });
      await checkViews(host.page, 'call', layoutProblems);

      await host.page.setViewportSize(SIZES[0]);
      const [stage, panel] = await Promise.all([host.page.locator('.stage').boundingBox(), host.page.locator('.side-panel').boundingBox()]);
      if (language.dir === 'rtl') expect(panel!.x + panel!.width).toBeLessThanOrEqual(stage!.x + 1);
      else expect(stage!.x + stage!.width).toBeLessThanOrEqual(panel!.x + 1);

      expect(await direction(host.page, 'call-code')).toBe('ltr');
      const digits = await waitUntil('the same code on both pages', () => Promise.all([host, guest].map((p) => p.page.getByTestId('call-code').textContent())), ([a, b]) => a === b && CODE.test(a ?? ''), WAIT);
      expect(digits[0]).toMatch(CODE);
      const shown = await callWords(host.page);
      expect(shown.words.every((w) => (language.words as readonly string[]).includes(w))).toBe(true);
      expect(shown.words).toEqual(shown.indexes.split(' ').map((i) => language.words[Number(i)]));
      expect(await host.page.locator('[data-testid=member] bdi').allTextContents()).toEqual(expect.arrayContaining([language.host, language.guest]));
    });

    it('shows the safety number left to right in Western digits in the verification view', async () => {
      await host.page.setViewportSize(SIZES[0]);
      await host.page.getByTestId('verify-member').first().click();
      const dialog = host.page.getByTestId('safety-dialog');
      await dialog.getByTestId('safety-number').waitFor({ timeout: 30_000 });
      expect(await dialog.locator('h2').textContent()).toContain(language.guest);
      expect(await dialog.getByTestId('safety-number').textContent()).toMatch(/^\d{5}( \d{5}){11}$/);
      expect(await direction(host.page, 'safety-number')).toBe('ltr');
      await checkViews(host.page, 'verification', pageProblems);
      await dialog.getByTestId('close-safety').click();
      await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    });

    it('switches language from the picker mid-call: the digits stay, the words are the same indexes, and the choice is remembered', async () => {
      const before = await callWords(guest.page);
      const digits = await guest.page.getByTestId('call-code').textContent();
      await guest.page.getByTestId('open-settings').click();
      await guest.page.getByTestId('settings-dialog').getByTestId('language').selectOption('en');
      await waitUntil('the page in English', () => documentLanguage(guest.page), (d) => d.lang === 'en' && d.dir === 'ltr');
      await guest.page.keyboard.press('Escape');
      const after = await callWords(guest.page);
      expect(await guest.page.getByTestId('call-code').textContent()).toBe(digits);
      expect(after.indexes).toBe(before.indexes);
      expect(after.words).toEqual(after.indexes.split(' ').map((i) => WORDS[Number(i)]));
      // The other member still reads the code in the browser's language: same digits, same indexes.
      expect(await host.page.getByTestId('call-code').textContent()).toBe(digits);
      expect((await callWords(host.page)).indexes).toBe(before.indexes);

      await guest.page.getByTestId('leave').click();
      await guest.page.goto(`${server!.origin}/`);
      await guest.page.getByTestId('new-room').waitFor({ timeout: 30_000 });
      expect(await documentLanguage(guest.page)).toMatchObject({ lang: 'en', dir: 'ltr' });
      expect(await guest.page.locator('h1').textContent()).toBe(CATALOGUES.en['home.title']);
    });
  });
}
