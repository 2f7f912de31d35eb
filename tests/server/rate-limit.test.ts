// server/rate-limit.ts: the per-connection token bucket and the per-IP window.
import { describe, expect, it } from 'vitest';
import { TokenBucket, WindowLimiter } from '../../server/rate-limit';

describe('token bucket', () => {
  it('allows a burst, then refills at the set rate', () => {
    const b = new TokenBucket(20, 60, 0);
    for (let i = 0; i < 60; i++) expect(b.take(0)).toBe(true);
    expect(b.take(0)).toBe(false);
    expect(b.take(49)).toBe(false); // 0.98 of a token
    expect(b.take(50)).toBe(true);
    expect(b.take(50)).toBe(false);
  });

  it('never holds more than the burst', () => {
    const b = new TokenBucket(20, 3, 0);
    let taken = 0;
    while (b.take(1_000_000)) taken++;
    expect(taken).toBe(3);
  });
});

describe('window limiter', () => {
  it('allows the limit per key per window', () => {
    const w = new WindowLimiter(2, 1000);
    expect([w.hit('a', 0), w.hit('a', 1), w.hit('a', 2), w.hit('b', 3)]).toEqual([true, true, false, true]);
    expect(w.hit('a', 1000)).toBe(true);
  });
});
