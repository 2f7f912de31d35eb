import { describe, expect, it } from 'vitest';
import { startsIn } from '../../client/src/lib/starts-in';

const MIN = 60_000;

describe('starts in', () => {
  it('says how long until a scheduled start, in the largest sensible unit', () => {
    expect(startsIn(25 * MIN, 0)).toBe('Starts in 25 minutes');
    expect(startsIn(1 * MIN, 0)).toBe('Starts in 1 minute');
    expect(startsIn(90 * MIN, 0)).toBe('Starts in 2 hours');
    expect(startsIn(3 * 24 * 60 * MIN, 0)).toBe('Starts in 3 days');
  });

  it('says now around the start, and how long ago after it', () => {
    expect(startsIn(10_000, 0)).toBe('Starting now');
    expect(startsIn(0, 30 * MIN)).toBe('Started 30 minutes ago');
  });
});
