// What a tile says about a remote member's media, from the media Worker's tally of the tracks the
// SFU says that member publishes:
//   'wrong-sender'  frames under another member's key arrived on this member's tracks and were
//                   refused: the SFU tried to show someone's media as this member's (kept visible);
//   'detached'      a receiver of this member lost its decrypting transform; its track is off;
//   'encrypted'     a frame opened under this member's key of the current (or previous) epoch;
//   'failing'       frames arrive but none open (no key yet, or authentication failures);
//   'waiting'       nothing arrived yet.
import { type WorkerStats } from '../../worker/messages';

export type TileSecurity = 'encrypted' | 'failing' | 'waiting' | 'wrong-sender' | 'detached';

export function tileSecurity(stats: WorkerStats, participantId: string, epoch: number, detached: ReadonlySet<string>): TileSecurity {
  if (detached.has(participantId)) return 'detached';
  const tally = stats.byParticipant.get(participantId);
  if (tally === undefined) return 'waiting';
  if (tally.wrongSender > 0) return 'wrong-sender';
  // The switch to a new epoch overlaps: frames of the one before still count.
  if (tally.openedEpoch >= epoch - 1 && tally.opened > 0) return 'encrypted';
  return tally.dropped > 0 ? 'failing' : 'waiting';
}
