import { describe, expect, it } from 'vitest';
import { LeftBehind } from '../../client/src/lib/session/left-behind';
import { NEWER_EPOCH_HORIZON, WITHHELD_AFTER_MS } from '../../protocol/limits';

describe('[W1] a member left behind', () => {
  it('resyncs at once on evidence of a newer epoch, and stops sending if it does not arrive in time', () => {
    const behind = new LeftBehind();
    expect(behind.saw(5, 4, 0)).toEqual([{ type: 'resync' }]);
    expect(behind.check(4, WITHHELD_AFTER_MS - 1)).toEqual([]);
    expect(behind.check(4, WITHHELD_AFTER_MS)).toEqual([{ type: 'withhold', epoch: 5 }]);
    expect(behind.withheld).toBe(5);
    expect(behind.check(4, WITHHELD_AFTER_MS + 1000)).toEqual([]); // said once
    expect(behind.check(5, WITHHELD_AFTER_MS + 2000)).toEqual([{ type: 'caught-up' }]);
    expect(behind.withheld).toBeUndefined();
  });

  it('says nothing when the epoch arrives within the bound', () => {
    const behind = new LeftBehind();
    behind.saw(5, 4, 0);
    expect(behind.check(5, 100)).toEqual([]);
    expect(behind.check(5, WITHHELD_AFTER_MS * 2)).toEqual([]);
  });

  it('ignores evidence of its own or older epochs, and claims implausibly far ahead', () => {
    const behind = new LeftBehind();
    expect(behind.saw(4, 4, 0)).toEqual([]);
    expect(behind.saw(3, 4, 0)).toEqual([]);
    expect(behind.saw(4 + NEWER_EPOCH_HORIZON + 1, 4, 0)).toEqual([]);
    expect(behind.check(4, WITHHELD_AFTER_MS * 2)).toEqual([]);
  });

  it('asks for at most one resync a second however much evidence arrives', () => {
    const behind = new LeftBehind();
    const resyncs = Array.from({ length: 100 }, (_, i) => behind.saw(5, 4, i * 10)).flat();
    expect(resyncs).toHaveLength(1);
  });

  it('counts the wait from the first evidence, even when newer evidence follows', () => {
    const behind = new LeftBehind();
    behind.saw(5, 4, 0);
    behind.saw(6, 4, 3000);
    expect(behind.check(4, WITHHELD_AFTER_MS)).toEqual([{ type: 'withhold', epoch: 6 }]);
    expect(behind.check(5, WITHHELD_AFTER_MS + 1)).toEqual([]); // still behind epoch 6
    expect(behind.check(6, WITHHELD_AFTER_MS + 2)).toEqual([{ type: 'caught-up' }]);
  });
});
