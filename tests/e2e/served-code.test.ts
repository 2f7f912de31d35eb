// Code pinning in a real Chromium, through a tampering proxy in front of two real servers (the
// current build, and an upgrade of it): the first visit pins the served build; a browser that
// never pinned refuses a changed main script by Subresource Integrity; a pinned visit where one
// byte of the main script is changed shows the code-changed notice and uses no key (no identity
// database, no room request, no socket); a legitimate upgrade shows the notice once, and after
// it is accepted the next visit shows none and runs the room page as usual.
import { en } from '../../client/src/lib/i18n/catalogues/en';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manifestOf } from '../../client/build/integrity-plugin';
import { parseManifest, serializeManifest } from '../../client/src/lib/integrity/manifest';
import { FINGERPRINT_BYTES } from '../../crypto/index';
import { formatFragment, LINK_SECRET_BYTES } from '../../crypto/index';
import { startTestServer, type TestServer } from '../server/helpers';
import { startTamperProxy, type TamperProxy } from '../server/tamper-proxy';
import { launchParticipant, printLogs, type Participant } from './harness/browser';
import { waitUntil } from './harness/wait';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DIST = fileURLToPath(new URL('../../client/dist', import.meta.url));
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const ROOM_PATH = `/r/${'A'.repeat(22)}`;
const FRAGMENT = formatFragment({ linkSecret: randomBytes(LINK_SECRET_BYTES), hostFingerprint: randomBytes(FINGERPRINT_BYTES) });

/** The deployment's next release: the same build with a changed page, and its own manifest. */
function makeUpgrade(into: string): void {
  cpSync(DIST, into, { recursive: true });
  const index = path.join(into, 'index.html');
  writeFileSync(index, readFileSync(index, 'utf8').replace('<title>', '<!-- release 2 -->\n    <title>'));
  writeFileSync(path.join(into, 'integrity.json'), serializeManifest(manifestOf(into)));
}

describe('served code pinned in the browser', () => {
  let upgradeDir: string;
  let current: TestServer;
  let upgrade: TestServer;
  let proxy: TamperProxy;
  let person: Participant;
  const versionA = sha256(readFileSync(path.join(DIST, 'integrity.json')));
  const built = Object.keys(parseManifest(readFileSync(path.join(DIST, 'integrity.json'), 'utf8')).files);
  const mainScript = built.find((f) => /^\/assets\/index-.*\.js$/.test(f))!;
  const mediaWorker = built.find((f) => /^\/assets\/media-worker-.*\.js$/.test(f))!;
  let versionB: string;

  beforeAll(async () => {
    upgradeDir = mkdtempSync(path.join(tmpdir(), 'sealroom-upgrade-'));
    makeUpgrade(upgradeDir);
    versionB = sha256(readFileSync(path.join(upgradeDir, 'integrity.json')));
    proxy = await startTamperProxy('http://127.0.0.1:9');
    current = await startTestServer({}, { PUBLIC_ORIGINS: proxy.origin });
    upgrade = await startTestServer({ staticDir: upgradeDir }, { PUBLIC_ORIGINS: proxy.origin });
    proxy.target = current.base;
    person = await launchParticipant('visitor', proxy.origin);
  });

  afterAll(async () => {
    await person?.close();
    await proxy?.close();
    await current?.close();
    await upgrade?.close();
    rmSync(upgradeDir, { recursive: true, force: true });
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs([person]));
  });

  const pinnedVersion = () =>
    person.page.evaluate(async () => {
      const record = await (await caches.open('sealroom-pin')).match('/__sealroom/pin');
      return record === undefined ? null : ((await record.json()) as { manifestHash: string }).manifestHash;
    });
  const databases = () => person.page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  const notice = () => person.page.getByTestId('code-changed');
  /** A new visit: a fresh document, even when only the fragment would differ from the last one. */
  const visit = async (where: string) => {
    await person.page.goto('about:blank');
    await person.page.goto(`${proxy.origin}${where}`);
  };
  /** What the page asked the server for since `mark`, apart from the page's own code and manifest. */
  const keyUseSince = (mark: number) => proxy.requests.slice(mark).filter((p) => p.startsWith('/api/') || p.startsWith('upgrade:'));

  it('pins the served build on the first visit', async () => {
    await visit('/');
    await person.page.getByRole('heading', { name: 'Video calls with a link' }).waitFor();
    expect(await waitUntil('the first visit to pin a build', pinnedVersion, (v) => v !== null, { timeoutMs: 60_000 })).toBe(versionA);
    expect(await person.page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL)).toBe(`${proxy.origin}/sw.js`);
  });

  it('has a browser that never pinned refuse a changed main script (Subresource Integrity)', async () => {
    const newcomer = await launchParticipant('newcomer', proxy.origin);
    proxy.tamper = mainScript;
    try {
      await newcomer.page.goto(`${proxy.origin}/`);
      const refused = await waitUntil('the browser to refuse the changed script', () => newcomer.log.find((l) => l.includes("valid digest in the 'integrity' attribute")), (l) => l !== undefined);
      expect(refused).toContain(mainScript);
      expect(await newcomer.page.locator('#app').innerHTML()).toBe('');
    } finally {
      proxy.tamper = null;
      await newcomer.close();
    }
  });

  it.each([
    ['the main script', () => mainScript],
    ['the media worker (browsers have no SRI for workers)', () => mediaWorker],
  ])('shows the notice, and uses no key, when one byte of %s changes', async (_what, file) => {
    proxy.tamper = file();
    const mark = proxy.requests.length;
    try {
      await visit(`${ROOM_PATH}#${FRAGMENT}`);
      await notice().waitFor();
      expect(await notice().getAttribute('data-kind')).toBe('inconsistent');
      expect(await notice().getByRole('heading').textContent()).toBe('This server sends code that does not match its own manifest');
      expect(await notice().locator('.code-files li').allTextContents()).toEqual([file()]);
      expect(await notice().getByRole('button', { name: 'I trust the new version: use it' }).count()).toBe(0);
      expect(proxy.requests.slice(mark)).toContain(file());
      expect(keyUseSince(mark)).toEqual([]);
      expect(await databases()).toEqual([]);
      expect(await pinnedVersion()).toBe(versionA);
    } finally {
      proxy.tamper = null;
    }
  });

  it('shows a legitimate upgrade once, as version A → B, and pins it when accepted', async () => {
    proxy.target = upgrade.base;
    const mark = proxy.requests.length;
    await visit('/');
    await notice().waitFor();
    expect(await notice().getAttribute('data-kind')).toBe('changed');
    expect(await notice().getByRole('heading').textContent()).toBe(en['integrity.changedTitle']);
    expect(await person.page.getByTestId('code-version').textContent()).toBe(`Version ${versionA.slice(0, 12)} → ${versionB.slice(0, 12)}`);
    expect(await person.page.getByTestId('code-new-version').textContent()).toBe(versionB);
    expect(await notice().locator('.code-files li').allTextContents()).toEqual(['/index.html']);
    expect(keyUseSince(mark)).toEqual([]);
    // axe-core over CDP (the app's CSP does not apply to it): WCAG 2.1 A and AA, as tests/e2e/accessibility.test.ts.
    await person.page.evaluate(AXE_SOURCE);
    const violations = await person.page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations.map((v) => v.id))`);
    expect(violations).toEqual([]);
    await person.page.screenshot({ path: 'test-results/code-changed-notice.png' });

    await notice().getByRole('button', { name: 'I trust the new version: use it' }).click();
    await person.page.getByRole('heading', { name: 'Video calls with a link' }).waitFor();
    expect(await pinnedVersion()).toBe(versionB);
    expect(await person.page.content()).toContain('<!-- release 2 -->');
  });

  it('shows no notice on the next visit, and the room page goes on to use its keys', async () => {
    const mark = proxy.requests.length;
    await visit(`${ROOM_PATH}#${FRAGMENT}`);
    await waitUntil('the room page to open its key store', databases, (names) => names.includes('sealroom'));
    // The key store opens first; the room's status request follows once its keys are loaded.
    await waitUntil('the room page to ask for its room', () => keyUseSince(mark), (used) => used.includes(`/api/rooms/${'A'.repeat(22)}`), { timeoutMs: 30_000 });
    expect(await notice().count()).toBe(0);
    expect(await pinnedVersion()).toBe(versionB);
  });
});
