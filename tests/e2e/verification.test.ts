// Verification as people do it, in real browsers over the real server and LiveKit: Alice hosts, Bob
// and then Carol join, Bob leaves, and someone else joins under Bob's name.
//
// What this proves (SECURITY.md, claims table):
//   - two members read the same call security code, and the same 60-digit safety number for each
//     other; the QR code on each screen scans to the same bytes, and those bytes are the digits;
//   - "Mark as verified" is kept in the profile: after a reload the member is still verified;
//   - when the code changes, every member already in the call is told why ("Carol joined",
//     "Bob left"), and can dismiss it;
//   - a member with a verified contact's name but another identity key raises a key-changed alert
//     on the page that verified the contact (and only there), with a different safety number.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fromBase64Url, decodeSafetyNumberBytes } from '../../crypto/index';
import { launchParticipant, type Participant, printLogs } from './harness/browser';
import { callCode, ownId } from './harness/members';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForTiles } from './harness/ui';
import { closeSafetyNumber, codeChanged, contactStatus, markVerified, openSafetyNumber, type SafetyNumberView, waitForContactStatus } from './harness/verification';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 500 };
const SAFETY_DIGITS = /^(\d{5} ){11}\d{5}$/;

describe('verifying the people in a call', () => {
  let server: TestServer | undefined;
  const people: Participant[] = [];
  let alice: Participant;
  let bob: Participant;
  let carol: Participant;
  let link = '';
  const ids = new Map<Participant, string>();
  let aliceSeesBob: SafetyNumberView | undefined;

  beforeAll(async () => {
    server = await startTestServer();
    alice = await launch('alice');
    bob = await launch('bob');
  });

  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(people));
  });

  async function launch(name: string): Promise<Participant> {
    const person = await launchParticipant(name, server!.origin);
    people.push(person);
    return person;
  }

  async function admit(guest: Participant, name: string): Promise<void> {
    await guest.page.goto(link);
    await join(guest.page, name);
    await admitFirstKnock(alice.page);
    await waitUntil(`${guest.name} in the call`, () => guest.page.getByTestId('call-code').count(), (n) => n === 1, WAIT);
    ids.set(guest, await ownId(guest.page, WAIT));
  }

  /** Waits until every page reads one code, for the same epoch, and returns it. */
  async function sameCode(pages: readonly Participant[]): Promise<{ epoch: number; digits: string }> {
    const codes = await waitUntil(
      'one call code on every page',
      () => Promise.all(pages.map((p) => callCode(p.page))),
      (all) => all.every((c) => c.epoch === all[0]!.epoch && c.digits === all[0]!.digits),
      WAIT,
    );
    return codes[0]!;
  }

  it('shows two members the same call code, and the same safety number and QR code for each other', async () => {
    link = await createRoom(alice.page, server!.origin);
    await join(alice.page, 'Alice');
    await waitForTiles(alice.page, 1, WAIT);
    ids.set(alice, await ownId(alice.page, WAIT));
    await admit(bob, 'Bob');
    const code = await sameCode([alice, bob]);
    expect(code.digits).toMatch(/^(\d{5} ){5}\d{5}$/);

    aliceSeesBob = await openSafetyNumber(alice.page, ids.get(bob)!);
    const bobSeesAlice = await openSafetyNumber(bob.page, ids.get(alice)!);
    await closeSafetyNumber(bob.page);
    expect(aliceSeesBob.digits).toMatch(SAFETY_DIGITS);
    expect(bobSeesAlice.digits).toBe(aliceSeesBob.digits);
    expect(bobSeesAlice.scanned).toBe(aliceSeesBob.scanned);
    expect(digitsOfScan(aliceSeesBob.scanned)).toBe(aliceSeesBob.digits);
  });

  it('keeps a member verified across a reload', async () => {
    // Alice verifies Bob (the dialog is still open from the first test); Bob verifies Alice.
    await markVerified(alice.page);
    await closeSafetyNumber(alice.page);
    await waitForContactStatus(alice.page, ids.get(bob)!, 'verified', WAIT);
    await openSafetyNumber(bob.page, ids.get(alice)!);
    await markVerified(bob.page);
    await closeSafetyNumber(bob.page);
    await waitForContactStatus(bob.page, ids.get(alice)!, 'verified', WAIT);
    expect(await bob.page.locator(`[data-testid=member][data-participant="${ids.get(alice)!}"]`).getByTestId('verified-mark').isVisible()).toBe(true);

    await bob.page.reload();
    await waitForTiles(bob.page, 2, WAIT);
    await waitForContactStatus(bob.page, ids.get(alice)!, 'verified', WAIT);
    await sameCode([alice, bob]);
  });

  it('tells the members already in the call why the code changed when a third member joins', async () => {
    carol = await launch('carol');
    await admit(carol, 'Carol');
    const code = await sameCode([alice, bob, carol]);
    for (const viewer of [alice, bob]) {
      const notice = await waitUntil(`${viewer.name} is told Carol joined`, () => codeChanged(viewer.page), (n) => n !== null && n.epoch === code.epoch, WAIT);
      expect(notice!.text).toContain('The call security code changed: Carol joined.');
    }
    expect(await codeChanged(carol.page)).toBeNull(); // arriving is not a change
    await bob.page.getByTestId('dismiss-code-changed').click();
    expect(await waitUntil('the notice is dismissed', () => codeChanged(bob.page), (n) => n === null, WAIT)).toBeNull();
  });

  it('warns when someone comes back under a verified name with another key', async () => {
    await bob.page.getByTestId('leave').click();
    const left = await waitUntil('Alice is told Bob left', () => codeChanged(alice.page), (n) => n?.text.includes('Bob left') === true, WAIT);
    expect(left!.text).toContain('The call security code changed: Bob left.');
    await bob.close();

    const impostor = await launch('impostor');
    await admit(impostor, 'Bob');
    await sameCode([alice, carol, impostor]);
    const impostorId = ids.get(impostor)!;
    const alert = alice.page.locator(`[data-testid=key-changed][data-participant="${impostorId}"]`);
    await alert.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await alert.getAttribute('role')).toBe('alert');
    await waitForContactStatus(alice.page, impostorId, 'key-changed', WAIT);
    // Carol never verified anyone: nothing to warn about on her page.
    expect(await carol.page.getByTestId('key-changed').count()).toBe(0);
    expect(await waitForContactStatus(carol.page, impostorId, 'unverified', WAIT)).toBe('unverified');

    const shown = await openSafetyNumber(alice.page, impostorId, 'key-changed');
    expect(shown.digits).toMatch(SAFETY_DIGITS);
    expect(shown.digits).not.toBe(aliceSeesBob!.digits);
    expect(await alice.page.getByTestId('safety-dialog').getByTestId('mark-verified').isVisible()).toBe(true);
    await closeSafetyNumber(alice.page);
    // Set aside, the warning goes; the member list still says the key changed.
    await alert.getByTestId('dismiss-changed').click();
    await alert.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await contactStatus(alice.page, impostorId)).toBe('key-changed');
  });
});

/** The 60 digits a scanned code stands for (SECURITY.md: six 5-byte big-endian chunks mod 100000 per half). */
function digitsOfScan(scanned: string): string {
  const { halves } = decodeSafetyNumberBytes(fromBase64Url(scanned));
  const groups: string[] = [];
  for (const half of halves) {
    for (let i = 0; i < half.length; i += 5) {
      const value = half.subarray(i, i + 5).reduce((n, byte) => n * 256 + byte, 0);
      groups.push(String(value % 100000).padStart(5, '0'));
    }
  }
  return groups.join(' ');
}
