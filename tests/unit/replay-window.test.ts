import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParameterError, Reason, ReplayError, DEFAULT_REPLAY_WINDOW, ReplayWindow } from '../../crypto/index';

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
