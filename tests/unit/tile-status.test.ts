import { describe, expect, it } from 'vitest';
import { isTileProblem, tileSecurity } from '../../client/src/lib/e2ee/tile-status';
import { NO_DROPS, type TrackTally, type WorkerStats } from '../../client/src/worker/messages';

const stats = (tallies: [string, Partial<TrackTally>][]): WorkerStats => ({
  encrypted: 0,
  decrypted: 0,
  dropped: NO_DROPS,
  decryptedByKid: new Map(),
  newerEpoch: -1,
  byParticipant: new Map(tallies.map(([id, t]) => [id, { opened: 0, dropped: 0, wrongSender: 0, openedEpoch: -1, ...t }])),
});
const none = new Set<string>();

describe('tile security status', () => {
  it('is encrypted once a frame on this participant\'s tracks opened in the current or previous epoch', () => {
    expect(tileSecurity(stats([['a', { opened: 1, openedEpoch: 4 }]]), 'a', 4, none)).toBe('encrypted');
    expect(tileSecurity(stats([['a', { opened: 5, openedEpoch: 3 }]]), 'a', 4, none)).toBe('encrypted');
  });

  it('does not count other participants or older epochs', () => {
    expect(tileSecurity(stats([['b', { opened: 9, openedEpoch: 4 }]]), 'a', 4, none)).toBe('waiting');
    expect(tileSecurity(stats([['a', { opened: 9, openedEpoch: 2 }]]), 'a', 4, none)).toBe('waiting');
  });

  it('is failing when only drops were seen on this participant\'s tracks', () => {
    expect(tileSecurity(stats([['a', { dropped: 3 }]]), 'a', 4, none)).toBe('failing');
  });

  it('says so, and keeps saying so, once another member\'s frames arrived on this participant\'s track', () => {
    expect(tileSecurity(stats([['a', { opened: 100, openedEpoch: 4, wrongSender: 1 }]]), 'a', 4, none)).toBe('wrong-sender');
  });

  it('is detached when a receiver of this participant lost its transform, whatever else arrived', () => {
    expect(tileSecurity(stats([['a', { opened: 100, openedEpoch: 4 }]]), 'a', 4, new Set(['a']))).toBe('detached');
  });

  it('says a member waits for signatures that do not come, unless a proven or unsigned frame says more', () => {
    const signed = (flags: { holding?: boolean; unverified?: boolean }) => ({
      byParticipant: new Map([['a', { verified: 9, unsigned: 0, forged: 0, held: 0, holding: false, late: true, unverified: false, ...flags }]]),
      refused: [],
      badBatches: 0,
      coverage: { count: 0, meanMs: 0, maxMs: 0, late: 0 },
    });
    const opened = stats([['a', { opened: 100, openedEpoch: 4 }]]);
    expect(tileSecurity(opened, 'a', 4, none, signed({}))).toBe('encrypted');
    expect(tileSecurity(opened, 'a', 4, none, signed({ unverified: true }))).toBe('unverified');
    expect(tileSecurity(opened, 'a', 4, none, signed({ unverified: true, holding: true }))).toBe('unsigned');
  });

  it("does not blame the server for missing signatures while this page's own link is down", () => {
    const signed = { byParticipant: new Map([['a', { verified: 9, unsigned: 0, forged: 0, held: 0, holding: false, late: true, unverified: true }]]), refused: [], badBatches: 0, coverage: { count: 0, meanMs: 0, maxMs: 0, late: 0 } };
    const opened = stats([['a', { opened: 100, openedEpoch: 4 }]]);
    expect(tileSecurity(opened, 'a', 4, none, signed, true)).toBe('offline');
    expect(tileSecurity(opened, 'a', 4, none, signed, false)).toBe('unverified');
    expect(tileSecurity(opened, 'a', 4, none, { ...signed, refused: ['a'] }, true)).toBe('refused');
  });

  it('writes on the tile why its media is not shown as encrypted, and nothing for encrypted or waiting', () => {
    expect(['failing', 'wrong-sender', 'detached', 'unsigned', 'refused', 'unverified', 'offline'].every((s) => isTileProblem(s as never))).toBe(true);
    expect(isTileProblem('encrypted')).toBe(false);
    expect(isTileProblem('waiting')).toBe(false);
  });
});
