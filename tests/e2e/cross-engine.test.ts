// Two-person encrypted calls across engines over the real loopback LiveKit, both ways round: a
// Chromium host with a Firefox guest, and a Firefox host with a Chromium guest (Debian's Chromium
// and Firefox ESR; harness/engines.ts). The same tests run for each pair.
//
// What this proves (SECURITY.md, claims table; README, supported browsers):
//   - Firefox and Chromium decode each other: the Chromium member's tile at the Firefox member shows
//     its Y4M pattern, and the Firefox member's tile at the Chromium member shows Firefox's fake
//     camera (one saturated colour whose hue turns: harness/fake-camera.ts), decrypted by the
//     receiver's transform (its audit counts decrypted frames); each hears the other;
//   - both engines show the same call security code for the same member list;
//   - every sender and receiver keeps its RTCRtpScriptTransform in Firefox too, although
//     livekit-client assigns `receiver.transform = null` there (SECURITY.md [T1]);
//   - encrypted chat crosses engines, under the sender's name;
//   - the page never trips its own Content-Security-Policy (zod's eval probe did, in both engines).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { printLogs } from './harness/browser';
import { type EngineMember, cspViolations, launchEngineMember, waitForSendersPicture } from './harness/engine-members';
import { admitKnock, callCodeIn, createRoomIn, joinAs, ownIdIn, testid, waitForEncryptedTiles, waitForTilesIn } from './harness/engine-ui';
import type { Engine, EnginePage } from './harness/engines';
import { audit, remoteVideo } from './harness/members';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { transformCoverage } from './harness/media-probe';
import { waitForDecodedVideo, waitForRisingAudio } from './harness/stats';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 500 };
const PAIRS: readonly (readonly [Engine, Engine])[] = [
  ['chromium', 'firefox'],
  ['firefox', 'chromium'],
];

interface Line {
  name: string;
  text: string;
  own: boolean;
}

function chatLines(page: EnginePage): Promise<Line[]> {
  return page.evaluate<Line[]>(`[...document.querySelectorAll('${testid('chat-line')}')].map((e) => ({
    name: e.querySelector('${testid('chat-name')}')?.textContent ?? '',
    text: e.querySelector('${testid('chat-text')}')?.textContent ?? '',
    own: e.getAttribute('data-own') === 'true',
  }))`);
}

async function say(page: EnginePage, text: string): Promise<void> {
  await page.fill(testid('chat-input'), text);
  await page.click(testid('chat-send'));
}

for (const [hostEngine, guestEngine] of PAIRS) {
  describe(`an encrypted call between a ${hostEngine} host and a ${guestEngine} guest`, () => {
    let server: TestServer | undefined;
    const members: EngineMember[] = [];
    const ids = new Map<EngineMember, string>();
    let inCall = false;

    beforeAll(async () => {
      server = await startTestServer();
      members.push(await launchEngineMember(hostEngine, `${hostEngine}-host`, server.origin, PATTERNS[0]!));
      members.push(await launchEngineMember(guestEngine, `${guestEngine}-guest`, server.origin, PATTERNS[1]!));
    });

    afterAll(async () => {
      await Promise.all(members.map((m) => m.close()));
      await server?.close();
    });

    beforeEach(({ onTestFailed }) => {
      onTestFailed(() => printLogs(members));
    });

    function requireCall(): [EngineMember, EngineMember] {
      if (!inCall) throw new Error('the call was not established (see the first test)');
      return members as [EngineMember, EngineMember];
    }

    it('admits the guest through a sealed knock; both engines show one call code', async () => {
      const [host, guest] = members as [EngineMember, EngineMember];
      const link = await createRoomIn(host.page, server!.origin);
      await joinAs(host.page, 'Alice');
      await guest.page.goto(link);
      await joinAs(guest.page, 'Bob');
      await admitKnock(host.page);
      for (const m of members) {
        await waitForTilesIn(m.page, 2, WAIT);
        ids.set(m, await ownIdIn(m.page));
      }
      const codes = await Promise.all(members.map((m) => waitUntil(`${m.name}'s code for epoch 1`, () => callCodeIn(m.page), (c) => c.epoch === 1, WAIT)));
      expect(codes[0]!.digits).toMatch(/^(\d{5} ){5}\d{5}$/);
      expect(codes[1]!.digits).toBe(codes[0]!.digits);
      inCall = true;
    });

    it('keeps an RTCRtpScriptTransform on every sender and receiver in both engines', async () => {
      requireCall();
      for (const m of members) {
        const found = await transformCoverage(m.page);
        expect(found.senders, m.name).toBeGreaterThan(0);
        expect(found.receivers, m.name).toBeGreaterThan(0);
        expect(found.bare, m.name).toBe(0);
      }
    });

    it("decodes the other engine's camera in each tile, decrypted, and plays its microphone", async () => {
      const [host, guest] = requireCall();
      for (const [viewer, sender] of [[host, guest], [guest, host]] as const) {
        await waitForDecodedVideo(viewer.page, 30, WAIT);
        const seen = await waitForSendersPicture(viewer, remoteVideo(ids.get(sender)!), sender, WAIT);
        console.log(`[e2e] ${viewer.name} sees ${sender.name}'s camera ${seen.sample.sourceWidth}x${seen.sample.sourceHeight}`);
        await waitForRisingAudio(viewer.page, WAIT);
        const { stats } = await audit(viewer.page);
        expect(stats.decrypted).toBeGreaterThan(0);
        await waitForEncryptedTiles(viewer.page, 1, WAIT);
      }
    });

    it('carries chat both ways under the sender’s name', async () => {
      const [host, guest] = requireCall();
      await say(host.page, `hello from ${hostEngine}`);
      await say(guest.page, `hello from ${guestEngine}`);
      const expected = (ownName: 'Alice' | 'Bob') => [
        { name: 'Alice', text: `hello from ${hostEngine}`, own: ownName === 'Alice' },
        { name: 'Bob', text: `hello from ${guestEngine}`, own: ownName === 'Bob' },
      ];
      for (const [m, ownName] of [[host, 'Alice'], [guest, 'Bob']] as const) {
        const lines = await waitUntil(`${m.name} shows both lines`, () => chatLines(m.page), (l) => l.length === 2, WAIT);
        expect([...lines].sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected(ownName));
      }
    });

    it('offers a speaker in every engine, the system default where the engine lists none, and sets no sink until one is chosen', async () => {
      requireCall();
      for (const m of members) {
        const select = `${testid('settings-dialog')} ${testid('speaker-select')}`;
        const { options, disabled } = await m.page.evaluate<{ options: [string, string][]; disabled: boolean }>(`(() => {
          const select = document.querySelector('${select}');
          return { options: [...(select?.options ?? [])].map((o) => [o.value, o.textContent]), disabled: select?.disabled ?? true };
        })()`);
        console.log(`[e2e] ${m.name}: speaker choices ${JSON.stringify(options)}`);
        expect(disabled).toBe(false);
        if (m.engine === 'firefox') expect(options).toEqual([['', 'System default']]);
        else expect(options.map(([value]) => value)).toContain('default');
        // No sink was set, so none was refused (Firefox rejects setSinkId('default')).
        expect(m.log.filter((line) => /setSinkId|audio output/i.test(line))).toEqual([]);
        const sinks = await m.page.evaluate<string[]>(`[...document.querySelectorAll('audio')].map((a) => a.sinkId)`);
        expect(sinks.length).toBeGreaterThan(0);
        expect(sinks.every((sink) => sink === '')).toBe(true);
      }
    });

    it('never trips its own Content-Security-Policy', async () => {
      requireCall();
      for (const m of members) expect(await cspViolations(m), m.name).toEqual([]);
    });
  });
}
