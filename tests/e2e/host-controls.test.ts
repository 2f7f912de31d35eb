// Every host flow, through the UI of real browsers over the loopback LiveKit: scheduling details in
// the lobby, knock and admit, deny, clearing the lobby, lock and unlock, remove, host absent and returning, hand-over,
// and end. Each control is a signed commit the members check; the server enforces seats and tokens.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toBase64Url, deriveAccessKeys, formatFragment, generateHostKey, generateLinkSecret, sealRoomInfo } from '../../crypto/index';
import { printLogs } from './harness/browser';
import { callCode, launchMember, type Member, ownId, waitForEpoch } from './harness/members';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { waitForDecodedVideo } from './harness/stats';
import { admitFirstKnock, join, waitForTiles } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 250 };
const state = (m: Member) => m.page.getByTestId('lobby-state').getAttribute('data-state', { timeout: 2000 });
const waitForState = (m: Member, want: string) => waitUntil(`${m.name} lobby state ${want}`, () => state(m), (s) => s === want, WAIT);
const memberCount = (m: Member) => m.page.getByTestId('member').count();

describe('host controls', () => {
  let server: TestServer | undefined;
  const people: Member[] = [];
  let host: Member;
  let bob: Member;
  let carol: Member;
  let visitor: Member;
  let link = '';

  beforeAll(async () => {
    server = await startTestServer();
    host = await launchMember('host', server.origin, PATTERNS[0]!);
    bob = await launchMember('bob', server.origin, PATTERNS[1]!);
    carol = await launchMember('carol', server.origin, PATTERNS[2]!);
    visitor = await launchMember('visitor', server.origin, PATTERNS[3]!);
    people.push(host, bob, carol, visitor);
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  it('creates a scheduled room whose title, description and start time guests read in the lobby, waiting for the host', async () => {
    await host.page.goto(`${server!.origin}/`);
    await host.page.getByTestId('room-title').fill('Design review');
    await host.page.getByTestId('room-description').fill('Bring the mock-ups.');
    const start = new Date(Date.now() + 90 * 60_000);
    const local = new Date(start.getTime() - start.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await host.page.getByTestId('room-start').fill(local);
    await host.page.getByTestId('new-room').click();
    link = await waitUntil('the share link', () => host.page.getByTestId('share-link').inputValue({ timeout: 1000 }), (v) => v.includes('#'), WAIT);
    await host.page.getByTestId('show-link-qr').click();
    expect(await host.page.getByTestId('link-qr').getAttribute('data-text')).toBe(link);

    // The host has not started the call yet: a guest learns the details and waits for the host.
    await bob.page.goto(link);
    await waitUntil('the room title', () => bob.page.getByTestId('room-info-title').textContent({ timeout: 1000 }), (t) => t === 'Design review', WAIT);
    expect(await bob.page.getByTestId('room-info-description').textContent()).toBe('Bring the mock-ups.');
    expect(await bob.page.getByTestId('room-starts').textContent()).toMatch(/Starts in (1|2) hours?/);
    await join(bob.page, 'Bob');
    await waitForState(bob, 'waiting-host');
  });

  it('shows no room details the server serves that do not open with the link, and says so', async () => {
    // What a lying server would serve: details sealed under a key that is not the link's.
    const linkSecret = generateLinkSecret();
    const { accessVerifier } = deriveAccessKeys(linkSecret);
    const info = toBase64Url(sealRoomInfo(generateLinkSecret(), { title: 'Forged title', description: '' }));
    const res = await fetch(`${server!.origin}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessVerifier: toBase64Url(accessVerifier), hostKey: toBase64Url(generateHostKey().publicKey), info }) });
    const { roomId } = (await res.json()) as { roomId: string };
    const fragment = formatFragment({ linkSecret, hostFingerprint: new Uint8Array(32) });
    await visitor.page.goto(`${server!.origin}/r/${roomId}#${fragment}`);
    await visitor.page.getByTestId('room-info-refused').waitFor({ timeout: 30_000 });
    expect(await visitor.page.getByText('Forged title').count()).toBe(0);
  });

  it('says plainly when a link is damaged, incomplete or wrong for the room', async () => {
    const [base, fragment] = link.split('#') as [string, string];
    const [secret] = fragment.split('.') as [string, string];
    await visitor.page.goto(`${base}#${secret}.short`);
    await waitForState(visitor, 'damaged-link');
    await visitor.page.goto(`${server!.origin}/`);
    await visitor.page.goto(base);
    await waitForState(visitor, 'missing-link');
    // A well-formed link with another secret: the server refuses its access token.
    await visitor.page.goto(`${base}#${formatFragment({ linkSecret: generateLinkSecret(), hostFingerprint: new Uint8Array(32) })}`);
    await waitForState(visitor, 'wrong-link');
  });

  it('admits a knock once the host starts, and denies another', async () => {
    await join(host.page, 'Hana');
    await admitFirstKnock(host.page);
    await waitForTiles(bob.page, 2, WAIT);
    await visitor.page.goto(link);
    await join(visitor.page, 'Mallory');
    await waitUntil('a knock', () => host.page.getByTestId('knock').count(), (n) => n === 1, WAIT);
    await host.page.getByTestId('knock').first().getByTestId('deny').click();
    await waitForState(visitor, 'denied');
    expect(await memberCount(host)).toBe(2);
  });

  it('clears the waiting room: everyone waiting is turned away', async () => {
    await visitor.page.goto(link);
    await join(visitor.page, 'Mallory');
    await waitUntil('a knock', () => host.page.getByTestId('knock').count(), (n) => n === 1, WAIT);
    await host.page.getByTestId('clear-lobby').click();
    await waitForState(visitor, 'denied');
    await waitUntil('no knock left', () => host.page.getByTestId('knock').count(), (n) => n === 0, WAIT);
    expect(await memberCount(host)).toBe(2);
  });

  it('locks the room so that knocks are refused, and unlocks it', async () => {
    const before = (await callCode(host.page)).epoch;
    await host.page.getByTestId('lock').check();
    await waitForEpoch(bob.page, before + 1, WAIT); // the lock is a signed commit every member applies
    await visitor.page.goto(link);
    await waitForState(visitor, 'locked');
    await host.page.getByTestId('lock').uncheck();
    await waitForEpoch(bob.page, before + 2, WAIT);
    await carol.page.goto(link);
    await join(carol.page, 'Carol');
    await admitFirstKnock(host.page);
    await waitForTiles(carol.page, 3, WAIT);
  });

  it('keeps the call going while the host is away, holds knocks, and lets the host come back and carry on', async () => {
    const epoch = (await callCode(bob.page)).epoch;
    await host.page.close();
    // The call goes on in the current epoch: Bob and Carol keep decoding each other.
    for (const m of [bob, carol]) {
      const decoded = (await waitForDecodedVideo(m.page, 0, WAIT)).video.framesDecoded;
      await waitForDecodedVideo(m.page, decoded + 30, WAIT);
    }
    expect((await callCode(bob.page)).epoch).toBe(epoch);
    // A knock waits for the host.
    await visitor.page.goto(link);
    await join(visitor.page, 'Victor');
    await waitForState(visitor, 'waiting-host');
    // The host returns in a new tab with the same profile (identity key, stored credential and room
    // key), reads the whole log, and admits the waiting knock: one commit. Its new page sends in a
    // counter space of its own (decision 0010), so it needs no rekey first.
    host.page = await host.context.newPage();
    await host.page.goto(link);
    await join(host.page, 'Hana');
    await admitFirstKnock(host.page);
    await waitForTiles(visitor.page, 4, WAIT);
    const codes = await Promise.all([host, bob, carol, visitor].map((m) => waitForEpoch(m.page, epoch + 1, WAIT)));
    expect(new Set(codes.map((c) => c.digits)).size).toBe(1);
  });

  it('removes a member, who is told so, and the others go on in a new epoch', async () => {
    const visitorId = await ownId(visitor.page);
    const before = (await callCode(host.page)).epoch;
    await host.page.locator(`[data-testid=member][data-participant="${visitorId}"] [data-testid=remove-member]`).click();
    await waitForState(visitor, 'removed');
    const after = await waitForEpoch(bob.page, before + 1, WAIT);
    expect((await callCode(host.page)).digits).toBe(after.digits);
    expect(await memberCount(bob)).toBe(3);
  });

  it('hands the host role to a member, who can then admit and remove', async () => {
    const bobId = await ownId(bob.page);
    await host.page.getByTestId('transfer-to').selectOption(bobId);
    await host.page.getByTestId('transfer').click();
    await waitUntil('bob sees host controls', () => bob.page.getByTestId('lock').count(), (n) => n === 1, WAIT);
    await waitUntil('the old host loses them', () => host.page.getByTestId('lock').count(), (n) => n === 0, WAIT);
    const carolId = await ownId(carol.page);
    await bob.page.locator(`[data-testid=member][data-participant="${carolId}"] [data-testid=remove-member]`).click();
    await waitForState(carol, 'removed');
  });

  it('ends the room for everyone', async () => {
    await bob.page.getByTestId('end').click();
    await bob.page.getByTestId('end-confirm').click();
    await waitForState(host, 'ended');
    await waitForState(bob, 'ended');
    await visitor.page.goto(link);
    await waitUntil('the ended room is gone', () => state(visitor), (s) => s === 'not-found' || s === 'ended', WAIT);
  });
});
