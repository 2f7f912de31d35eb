// server/commit-log.ts: the bounded log and the chunking of `commits` answers.
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../protocol/protocol';
import { CommitLog, chunkCommits, MAX_LOG_COMMITS } from '../../server/commit-log';

describe('commit log', () => {
  it('returns the commits after an epoch, in order', () => {
    const log = new CommitLog();
    for (const e of [1, 4, 9]) log.append(e, `c${e}`, { p: `e${e}` });
    expect(log.after(undefined).map((c) => c.epoch)).toEqual([1, 4, 9]);
    expect(log.after(1).map((c) => c.epoch)).toEqual([4, 9]);
    expect(log.after(9)).toEqual([]);
    expect(log.after(4)[0]?.envelopes.get('p')).toBe('e9');
  });

  it(`drops the oldest commits beyond ${MAX_LOG_COMMITS} entries, remembering the last epoch`, () => {
    const log = new CommitLog();
    for (let e = 1; e <= MAX_LOG_COMMITS + 5; e++) log.append(e, 'c', {});
    expect(log.size).toBe(MAX_LOG_COMMITS);
    expect(log.after(undefined)[0]?.epoch).toBe(6);
    expect(log.lastEpoch).toBe(MAX_LOG_COMMITS + 5);
  });

  it('drops the oldest commits beyond its byte budget but always keeps the newest', () => {
    const log = new CommitLog(100, 1000);
    for (let e = 1; e <= 5; e++) log.append(e, 'x'.repeat(400), {});
    expect(log.after(undefined).map((c) => c.epoch)).toEqual([4, 5]);
    log.append(6, 'x'.repeat(5000), {});
    expect(log.after(undefined).map((c) => c.epoch)).toEqual([6]);
  });
});

describe('chunkCommits', () => {
  it('answers an empty log with one empty frame', () => {
    expect(chunkCommits([])).toEqual([{ v: 1, type: 'commits', commits: [] }]);
  });

  it('packs items in order into frames that never exceed the cap', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ epoch: i, commit: 'C'.repeat(3000 + i * 37), envelope: 'E'.repeat(500) }));
    const frames = chunkCommits(items);
    expect(frames.length).toBeGreaterThan(1);
    for (const f of frames) expect(JSON.stringify(f).length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(frames.flatMap((f) => (f.type === 'commits' ? f.commits : []))).toEqual(items);
    // Every part but the last says more follows, so a client knows when it has read the whole log.
    expect(frames.map((f) => (f.type === 'commits' ? f.more : 'x'))).toEqual([...frames.slice(1).map(() => true), undefined]);
  });

  it('fills frames exactly up to the limit', () => {
    const item = { epoch: 1, commit: 'abc' };
    const one = JSON.stringify({ v: 1, type: 'commits', commits: [item] }).length;
    const two = JSON.stringify({ v: 1, type: 'commits', commits: [item, item] }).length;
    expect(chunkCommits([item, item], two)).toHaveLength(1);
    expect(chunkCommits([item, item], two - 1)).toHaveLength(2);
    expect(chunkCommits([item, item], one)).toHaveLength(2);
  });
});
