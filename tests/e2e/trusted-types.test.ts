// The app under Trusted Types (CSP `require-trusted-types-for 'script'`, server/security-headers.ts)
// in Chromium, which enforces them (Firefox ignores the directive): a host creates a room, a guest
// knocks and is admitted, and both decode each other's video, so Svelte's templates, the media
// Worker, the service worker and livekit-client all run, with no Trusted Types violation. And the
// policy is not a hole: a string into innerHTML, or a script URL of another origin, is refused.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { printLogs } from './harness/browser';
import { launchMember, type Member } from './harness/members';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };
/** Collects every CSP violation the page reports, from its first script on. */
const RECORD_VIOLATIONS = `window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`;
const violations = (m: Member) => m.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
const trustedTypeErrors = (m: Member) => m.log.filter((line) => /trusted ?type|TrustedScriptURL|TrustedHTML/i.test(line));

describe('Trusted Types', () => {
  let server: TestServer | undefined;
  let host: Member;
  let guest: Member;

  beforeAll(async () => {
    server = await startTestServer();
    host = await launchMember('host', server.origin, PATTERNS[0]!);
    guest = await launchMember('guest', server.origin, PATTERNS[1]!);
    for (const m of [host, guest]) await m.context.addInitScript(RECORD_VIOLATIONS);
  });

  afterAll(async () => {
    await Promise.all([host, guest].map((p) => p?.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs([host, guest]));
  });

  it('runs a whole call with Trusted Types required and no violation', async () => {
    const link = await createRoom(host.page, server!.origin);
    const response = await guest.page.goto(link);
    expect(response?.headers()['content-security-policy']).toContain("require-trusted-types-for 'script'");
    await join(host.page, 'Hana');
    await join(guest.page, 'Bob');
    await admitFirstKnock(host.page);
    await Promise.all([waitForTiles(host.page, 2, WAIT), waitForTiles(guest.page, 2, WAIT)]);
    for (const m of [host, guest]) {
      expect(await m.page.evaluate(() => (window as unknown as { trustedTypes?: { defaultPolicy?: { name: string } } }).trustedTypes?.defaultPolicy?.name)).toBe('default');
      expect(await violations(m)).toEqual([]);
      expect(trustedTypeErrors(m)).toEqual([]);
    }
  });

  it('refuses HTML strings and script URLs of another origin', async () => {
    const outcome = await guest.page.evaluate(() => {
      const tried = (f: () => unknown) => {
        try {
          f();
          return 'allowed';
        } catch {
          return 'refused';
        }
      };
      return {
        html: tried(() => (document.createElement('div').innerHTML = '<img src=x onerror=alert(1)>')),
        worker: tried(() => new Worker('https://elsewhere.example/w.js')),
        script: tried(() => (document.createElement('script').src = 'https://elsewhere.example/s.js')),
        sameOrigin: tried(() => (document.createElement('script').src = '/same-origin.js')),
      };
    });
    expect(outcome).toEqual({ html: 'refused', worker: 'refused', script: 'refused', sameOrigin: 'allowed' });
  });
});
