// What a tile says about a remote member's media, from the media Worker's per-KID counters:
// 'encrypted' once a frame under one of its current KIDs opened, 'failing' when its frames arrive
// but none open (no key yet, or authentication failures), 'waiting' before any frame arrived.
import { splitKid } from '../../../../crypto/index';
import { type WorkerStats } from '../../worker/messages';

export type TileSecurity = 'encrypted' | 'failing' | 'waiting';

export function tileSecurity(stats: WorkerStats, senderIndex: number, epoch: number): TileSecurity {
  const opened = countFor(stats.decryptedByKid, senderIndex, epoch);
  if (opened > 0) return 'encrypted';
  return countFor(stats.droppedByKid, senderIndex, epoch) > 0 ? 'failing' : 'waiting';
}

/** Frames of this sender under the current epoch or the one before it (the switch overlaps). */
function countFor(byKid: ReadonlyMap<bigint, number>, senderIndex: number, epoch: number): number {
  let total = 0;
  for (const [kid, count] of byKid) {
    const sent = splitKid(kid);
    if (sent.senderIndex !== senderIndex) continue;
    if (sent.epoch === epoch || sent.epoch === epoch - 1) total += count;
  }
  return total;
}
