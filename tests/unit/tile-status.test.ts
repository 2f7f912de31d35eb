import { describe, expect, it } from 'vitest';
import { tileSecurity } from '../../client/src/lib/e2ee/tile-status';
import { type WorkerStats } from '../../client/src/worker/messages';

const kid = (epoch: number, sender: number): bigint => (BigInt(epoch) << 6n) | BigInt(sender);
const stats = (decrypted: [bigint, number][], dropped: [bigint, number][]): WorkerStats => ({
  encrypted: 0,
  decrypted: 0,
  dropped: { 'no-send-key': 0, codec: 0, malformed: 0, 'unknown-key': 0, auth: 0, replay: 0 },
  decryptedByKid: new Map(decrypted),
  droppedByKid: new Map(dropped),
});

describe('tile security status', () => {
  it('is encrypted once a frame of this sender opened in the current or previous epoch', () => {
    expect(tileSecurity(stats([[kid(4, 2), 1]], []), 2, 4)).toBe('encrypted');
    expect(tileSecurity(stats([[kid(3, 2), 5]], []), 2, 4)).toBe('encrypted');
  });

  it('does not count other senders or older epochs', () => {
    expect(tileSecurity(stats([[kid(4, 1), 9], [kid(2, 2), 9]], []), 2, 4)).toBe('waiting');
  });

  it('is failing when only drops were seen for this sender', () => {
    expect(tileSecurity(stats([[kid(4, 1), 9]], [[kid(4, 2), 3]]), 2, 4)).toBe('failing');
  });
});
