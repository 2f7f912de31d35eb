// Chat and media state inside the encrypted channel, between two members over the real loopback
// LiveKit. Each browser opens the app through its own harness proxy (harness/socket-proxy.ts), so
// the test can break Bob's signaling socket the way a network does, with no hook in the client.
//
// What this proves (SECURITY.md, claims table):
//   - a chat line arrives under the sender's name from the signed member list, own lines marked,
//     and the panel says history starts at one's own join;
//   - the server relays chat it cannot read: no line's text is in anything it sent either browser;
//   - a line sent while the sender's socket dies arrives exactly once: one line went out but its
//     ack was lost (resent, and refused as a duplicate by the receiver), one never reached the
//     server (resent after the reconnect);
//   - a remote tile shows the microphone as the member's sealed media state says.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Page } from 'playwright-core';
import { printLogs } from './harness/browser';
import { audit, launchMember, type Member, ownId } from './harness/members';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { type SocketProxy, startSocketProxy } from './harness/socket-proxy';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };

interface Line {
  name: string;
  text: string;
  own: boolean;
  status: string | null;
}

function chatLines(page: Page): Promise<Line[]> {
  return page.getByTestId('chat-line').evaluateAll((elements) =>
    elements.map((element) => ({
      name: element.querySelector('[data-testid=chat-name]')?.textContent ?? '',
      text: element.querySelector('[data-testid=chat-text]')?.textContent ?? '',
      own: element.getAttribute('data-own') === 'true',
      status: element.getAttribute('data-status'),
    })),
  );
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-send').click();
}

function waitForLine(page: Page, text: string, accept: (line: Line) => boolean = () => true): Promise<Line[]> {
  return waitUntil(`a chat line "${text}"`, () => chatLines(page), (lines) => lines.some((l) => l.text === text && accept(l)), WAIT);
}

async function mediaStateEvents(page: Page, participantId: string): Promise<string[]> {
  const { events } = await audit(page);
  return events.filter((e) => e.step === 'media-state' && e.detail.startsWith(`${participantId} `)).map((e) => e.detail.slice(participantId.length + 1));
}

const micOff = (page: Page, participantId: string) => page.locator(`[data-testid=tile][data-participant="${participantId}"] [data-testid=mic-off]`);

describe('encrypted chat and media state', () => {
  let server: TestServer | undefined;
  const proxies: SocketProxy[] = [];
  const members: Member[] = [];
  let alice: Member;
  let bob: Member;
  let bobProxy: SocketProxy;
  let bobId = '';
  let inCall = false;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) proxies.push(await startSocketProxy());
    server = await startTestServer({ origins: proxies.map((p) => p.origin) });
    for (const proxy of proxies) proxy.forwardTo(server.port);
    for (const [i, name] of ['alice', 'bob'].entries()) members.push(await launchMember(name, proxies[i]!.origin, PATTERNS[i]!));
    [alice, bob] = members as [Member, Member];
    bobProxy = proxies[1]!;
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await server?.close();
    await Promise.all(proxies.map((p) => p.close()));
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(members));
  });

  function requireCall(): void {
    if (!inCall) throw new Error('the call was not established (see the first test)');
  }

  it('starts each member with an empty chat that says history begins at their own join', async () => {
    const link = await createRoom(alice.page, proxies[0]!.origin);
    await join(alice.page, 'Alice');
    await bob.page.goto(link.replace(proxies[0]!.origin, bobProxy.origin));
    await join(bob.page, 'Bob');
    await admitFirstKnock(alice.page);
    for (const m of members) await waitForTiles(m.page, 2, WAIT);
    bobId = await ownId(bob.page);
    inCall = true;
    for (const m of members) {
      await expect(m.page.getByTestId('chat-empty').textContent()).resolves.toContain('from the moment you joined');
      expect(await chatLines(m.page)).toEqual([]);
    }
  });

  it("carries a line each way under the sender's name from the signed member list, and marks one's own", async () => {
    requireCall();
    await say(alice.page, 'Hello from Alice');
    await waitForLine(bob.page, 'Hello from Alice');
    await waitForLine(alice.page, 'Hello from Alice', (l) => l.status === 'sent');
    await say(bob.page, 'Hi Alice, Bob here');
    await waitForLine(alice.page, 'Hi Alice, Bob here');
    await waitForLine(bob.page, 'Hi Alice, Bob here', (l) => l.status === 'sent');
    expect(await chatLines(alice.page)).toEqual([
      { name: 'Alice', text: 'Hello from Alice', own: true, status: 'sent' },
      { name: 'Bob', text: 'Hi Alice, Bob here', own: false, status: 'received' },
    ]);
    expect(await chatLines(bob.page)).toEqual([
      { name: 'Alice', text: 'Hello from Alice', own: false, status: 'received' },
      { name: 'Bob', text: 'Hi Alice, Bob here', own: true, status: 'sent' },
    ]);
    await expect(alice.page.getByTestId('chat-empty').count()).resolves.toBe(0);
    for (const proxy of proxies) {
      const sent = proxy.toBrowser().toString('utf8');
      expect(sent).toContain('"type":"relay"');
      for (const text of ['Hello from Alice', 'Hi Alice, Bob here']) expect(sent).not.toContain(text);
    }
  });

  it("delivers lines sent while the sender's socket dies exactly once, after the socket is back", async () => {
    requireCall();
    const socketsBefore = bobProxy.sockets;
    const duplicatesBefore = (await audit(alice.page)).events.filter((e) => e.step === 'chat-duplicate').length;

    // 1. The server still hears Bob, but nothing reaches Bob: the line is fanned out, its ack is lost.
    bobProxy.stall('to-browser');
    await say(bob.page, 'sent as the socket died');
    await waitForLine(alice.page, 'sent as the socket died');
    // 2. Now nothing reaches the server either: the line is lost on the way.
    bobProxy.stall('to-server');
    await say(bob.page, 'sent into the dead socket');
    await waitForLine(bob.page, 'sent into the dead socket');
    expect((await chatLines(bob.page)).slice(-2).map((l) => l.status)).toEqual(['sending', 'sending']);
    expect((await chatLines(alice.page)).map((l) => l.text)).not.toContain('sent into the dead socket');

    // 3. The connection is reset; Bob's client reconnects on its own and resends both lines.
    bobProxy.cut();
    await waitUntil('bob reconnected', () => bobProxy.sockets, (n) => n > socketsBefore, WAIT);
    await waitUntil('both lines acknowledged', () => chatLines(bob.page), (lines) => lines.every((l) => l.status !== 'sending'), WAIT);
    // The server relays to Alice in order, so once this line is there, the resends are too.
    await say(bob.page, 'after the reconnect');
    await waitForLine(alice.page, 'after the reconnect');

    const fromBob = (await chatLines(alice.page)).filter((l) => l.name === 'Bob').map((l) => l.text);
    expect(fromBob).toEqual(['Hi Alice, Bob here', 'sent as the socket died', 'sent into the dead socket', 'after the reconnect']);
    // The first line really was delivered twice, and refused the second time.
    const duplicates = (await audit(alice.page)).events.filter((e) => e.step === 'chat-duplicate');
    expect(duplicates.slice(duplicatesBefore).map((e) => e.detail)).toEqual([bobId]);
  });

  it("shows a remote member's microphone as its sealed media state says", async () => {
    requireCall();
    await waitUntil("bob's media state at alice", () => mediaStateEvents(alice.page, bobId), (states) => states.includes('mic:on camera:on'), WAIT);
    await expect(micOff(alice.page, bobId).count()).resolves.toBe(0);

    await bob.page.getByTestId('toggle-mic').click();
    await waitUntil("alice's tile of bob shows the microphone off", () => micOff(alice.page, bobId).count(), (n) => n === 1, WAIT);
    expect((await mediaStateEvents(alice.page, bobId)).at(-1)).toBe('mic:off camera:on');

    await bob.page.getByTestId('toggle-mic').click();
    await waitUntil("alice's tile of bob shows the microphone on", () => micOff(alice.page, bobId).count(), (n) => n === 0, WAIT);
    expect((await mediaStateEvents(alice.page, bobId)).at(-1)).toBe('mic:on camera:on');
  });
});
