// Reconnection of an encrypted two-person call, with the drops made on the wire, not in the client
// (tests/e2e/harness/reconnect-call.ts):
//   - the guest's signaling socket is reset by a TCP proxy in front of the Sealroom server, as a
//     network drop would;
//   - the guest's LiveKit signal connection is reset by a relay in front of LiveKit: livekit-client
//     resumes and restarts ICE;
//   - the same, but the relay then answers the guest's resumes with 401 (what LiveKit says to a token
//     it no longer accepts): livekit-client gives up and Sealroom reconnects from scratch with a fresh
//     token, new peer connections and so new senders and receivers, each with its SFrame transform.
//
// What this proves: after each, both members decode each other's pictures again, under the same
// epoch or the next, and the guest never knocks again. How fast is not asserted here (every wait is
// a 60 s liveness bound); `npm run bench -- reconnect` measures it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { printLogs } from './harness/browser';
import { LIVENESS, type ReconnectCall, type Recovery, startReconnectCall } from './harness/reconnect-call';
import { waitUntil } from './harness/wait';

describe('an encrypted call through dropped connections', () => {
  let call: ReconnectCall;
  let epoch = -1;
  let inCall = false;

  beforeAll(async () => {
    call = await startReconnectCall();
  });

  afterAll(async () => {
    await call?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(call.members));
  });

  function requireCall(): void {
    if (!inCall) throw new Error('the call was not established (see the first test)');
  }

  const report = (what: string, r: Recovery): void => console.log(`[e2e] ${what}: back after ${r.reconnectMs} ms, decoding both ways ${r.decodingMs} ms later`);

  /** Still in the call, no knock anywhere, both on the same epoch: the one before or the next. */
  async function sameCall(): Promise<void> {
    expect(await call.guest.page.getByTestId('lobby-state').count()).toBe(0);
    expect(await call.host.page.getByTestId('knock').count()).toBe(0);
    const [a, b] = await call.codes();
    expect(a).toEqual(b);
    expect([epoch, epoch + 1]).toContain(a.epoch);
    epoch = a.epoch;
  }

  it('starts the call through the proxies; both decode each other', async () => {
    await call.start();
    epoch = (await call.codes())[1].epoch;
    inCall = true;
  });

  it('resumes the signaling socket after a reset, without a new knock', async () => {
    requireCall();
    report('signaling reset', await call.resetSignaling());
    await sameCall();
  });

  it('resumes LiveKit with an ICE restart after its signal connection is reset', async () => {
    requireCall();
    const r = await call.resetLiveKit();
    report('LiveKit signal reset, ICE restart', r);
    expect(r.cut).toBeGreaterThan(0);
    expect(r.resumes).toBeGreaterThan(0);
    expect(r.after.made).toBe(r.before.made); // the same peer connections, restarted
    await sameCall();
  });

  it('reconnects from scratch with a fresh token when LiveKit refuses the resume', async () => {
    requireCall();
    const r = await call.refuseLiveKitResume();
    report(`LiveKit resume refused, fresh join (peer connections ${r.before.made} -> ${r.after.made})`, r);
    expect(r.cut).toBeGreaterThan(0);
    expect(r.resumes).toBeGreaterThan(0); // it did try to resume first
    expect(r.after.made).toBeGreaterThan(r.before.made); // a new peer connection: new senders and receivers
    await sameCall();
  });

  it('tells a member who was removed while its socket was away that it was removed', async () => {
    requireCall();
    const { host, guest, guestProxy } = call;
    // The guest's signaling socket goes silent both ways; the server still counts it connected.
    guestProxy.stall('to-server');
    guestProxy.stall('to-browser');
    await host.page.locator(`[data-testid=member][data-participant="${call.idOf(guest)}"] [data-testid=remove-member]`).click();
    await waitUntil('the host sees the guest gone', () => host.page.getByTestId('member').count(), (n) => n === 1, LIVENESS);
    // The network comes back: the guest's resume token now answers "removed".
    guestProxy.cut();
    const said = await waitUntil('the guest told', () => guest.page.getByTestId('lobby-state').getAttribute('data-state', { timeout: 1000 }), (s) => s === 'removed', LIVENESS);
    expect(said).toBe('removed');
    expect(await guest.page.getByTestId('lobby-state').textContent()).toMatch(/removed you/);
  });
});
