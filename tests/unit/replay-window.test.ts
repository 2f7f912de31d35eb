import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParameterError, Reason, ReplayError } from '../../crypto/errors';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from '../../crypto/sframe/replay';
import { SFrameReceiver } from '../../crypto/sframe/receiver';
import { SFrameSender } from '../../crypto/sframe/sender';

/** Offers `ctr`; true if the window took it. Any refusal must be a ReplayError(replayed). */
function offer(window: ReplayWindow, ctr: bigint): boolean {
  try {
    window.check(ctr);
    window.accept(ctr);
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(ReplayError);
    expect((e as ReplayError).reason).toBe(Reason.replayed);
    return false;
  }
}

describe('replay window', () => {
  it('holds 1024 counters by default', () => {
    expect(new ReplayWindow().size).toBe(DEFAULT_REPLAY_WINDOW);
    expect(DEFAULT_REPLAY_WINDOW).toBe(1024);
  });

  it('accepts exactly what a set-based model accepts: new counters within size of the highest', () => {
    const size = 64;
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 300n }), { maxLength: 400 }), (counters) => {
        const window = new ReplayWindow(size);
        const seen = new Set<bigint>();
        let highest = -1n;
        for (const ctr of counters) {
          const expected = !seen.has(ctr) && ctr > highest - BigInt(size);
          expect(offer(window, ctr), `CTR ${ctr}`).toBe(expected);
          if (expected) {
            seen.add(ctr);
            if (ctr > highest) highest = ctr;
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never accepts a counter twice, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 5000n }), { maxLength: 300 }), (counters) => {
        const window = new ReplayWindow();
        const accepted = new Set<bigint>();
        for (const ctr of [...counters, ...counters]) {
          if (offer(window, ctr)) {
            expect(accepted.has(ctr)).toBe(false);
            accepted.add(ctr);
          }
        }
      }),
    );
  });

  it('accepts any reordering of counters that all fit in the window', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 60n }), fc.shuffledSubarray([...Array(1024).keys()], { minLength: 1 }), (base, offsets) => {
        const window = new ReplayWindow(1024);
        for (const offset of offsets) expect(offer(window, base + BigInt(offset))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a counter that fell below the window after a jump ahead', () => {
    const window = new ReplayWindow(32);
    expect(offer(window, 10n)).toBe(true);
    expect(offer(window, 100n)).toBe(true);
    expect(offer(window, 68n)).toBe(false); // 100 - 68 = 32: just outside
    expect(offer(window, 69n)).toBe(true); // 31 behind: inside, never seen
    expect(offer(window, 10n)).toBe(false);
  });

  it('forgets old bits as it slides, so a counter re-entering the ring is judged fresh', () => {
    const window = new ReplayWindow(32);
    expect(offer(window, 5n)).toBe(true);
    expect(offer(window, 37n)).toBe(true); // same ring slot as 5, which is now below the window
    expect(offer(window, 36n)).toBe(true);
    expect(offer(window, 37n)).toBe(false);
  });

  it('does not move on check alone: only accept records a counter', () => {
    const window = new ReplayWindow(32);
    window.check(500n);
    expect(window.highest).toBeUndefined();
    expect(offer(window, 1n)).toBe(true);
    expect(window.highest).toBe(1n);
  });

  it('refuses in accept a counter that another frame recorded after this one was checked', () => {
    const window = new ReplayWindow(32);
    window.check(7n);
    window.accept(7n);
    expect(() => window.accept(7n)).toThrow(ReplayError);
  });

  it('rejects window sizes that are not powers of two in [32, 65536]', () => {
    for (const size of [0, 16, 33, 1000, 1 << 17, 1.5]) {
      expect(() => new ReplayWindow(size)).toThrow(ParameterError);
    }
  });
});

describe('[R1] a forward bound: one counter cannot push the window out of reach', () => {
  const bound = { base: 1024, perSecond: 1000 };

  it('refuses a counter beyond base + rate x elapsed, and moves nothing', () => {
    const window = new ReplayWindow(1024, 'KID 64', bound);
    window.accept(10n, 0);
    expect(() => window.check(10n + 1025n, 0)).toThrow(expect.objectContaining({ reason: 'too-far-ahead' }));
    expect(() => window.accept(1n << 40n, 5)).toThrow(ReplayError);
    expect(window.highest).toBe(10n);
    window.accept(11n, 6); // the sender's next frame is still fine
  });

  it('allows what the rate permits after a silence', () => {
    const window = new ReplayWindow(1024, 'KID 64', bound);
    window.accept(0n, 0);
    window.accept(1024n + 30_000n, 30_000); // 30 s later: base + 30,000
    expect(() => window.accept(1024n + 30_000n + 1025n, 30_000)).toThrow(ReplayError);
  });

  it('takes any first counter (a late joiner meets a sender mid-stream)', () => {
    const window = new ReplayWindow(1024, 'KID 64', bound);
    window.accept(1n << 31n, 0);
    expect(window.highest).toBe(1n << 31n);
  });

  it('rejects a negative bound', () => {
    expect(() => new ReplayWindow(1024, 'x', { base: -1, perSecond: 0 })).toThrow(ParameterError);
  });
});

describe('SFrame receiver counter spaces', () => {
  const kid = 64n;
  const baseKey = new Uint8Array(32).fill(3);

  async function sealedAt(ctr: bigint): Promise<Uint8Array> {
    const sender = new SFrameSender();
    await sender.addKey(kid, baseKey, ctr);
    return sender.protect(kid, new Uint8Array([1, 2, 3]));
  }

  it('keeps a window per space, so a new space neither poisons nor is poisoned by the old one', async () => {
    const receiver = new SFrameReceiver(undefined, { counterSpaceBits: 32, forwardBound: { base: 16, perSecond: 0 } });
    await receiver.addKey(kid, baseKey);
    await receiver.unprotect(await sealedAt(5n));
    await receiver.unprotect(await sealedAt((1n << 32n) + 5n)); // a new space: no forward bound across spaces
    await receiver.unprotect(await sealedAt(6n)); // the old space goes on
    await expect(receiver.unprotect(await sealedAt(5n))).rejects.toMatchObject({ reason: 'replayed' });
    await expect(receiver.unprotect(await sealedAt(100n))).rejects.toMatchObject({ reason: 'too-far-ahead' });
  });

  it('makes no window for a frame that does not authenticate', async () => {
    const receiver = new SFrameReceiver(undefined, { counterSpaceBits: 32, maxSpacesPerKey: 1 });
    await receiver.addKey(kid, baseKey);
    await receiver.unprotect(await sealedAt(9n));
    const forged = await sealedAt((7n << 32n) + 1n);
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    await expect(receiver.unprotect(forged)).rejects.toMatchObject({ reason: 'auth-failed' });
    // Had the forged frame made a window, the only slot would have evicted space 0's and this replay would pass.
    await expect(receiver.unprotect(await sealedAt(9n))).rejects.toMatchObject({ reason: 'replayed' });
  });

  it('sends no counter past the end of its space', async () => {
    const sender = new SFrameSender();
    await sender.addKey(kid, baseKey, 7n, 8n);
    await sender.protect(kid, new Uint8Array(1));
    await expect(sender.protect(kid, new Uint8Array(1))).rejects.toMatchObject({ reason: 'counter-exhausted' });
  });
});
