// What a tile says about a remote member's media, from the media Worker's tally of the tracks the
// SFU says that member publishes, and what the member's signed batches said about them ([M1]):
//   'detached'      a receiver of this member lost its decrypting transform; its track is off;
//   'refused'       this member's own signed batches contradict each other: every frame under its
//                   key is refused until the epoch changes;
//   'wrong-sender'  frames under another member's key arrived on this member's tracks and were
//                   refused: the SFU tried to show someone's media as this member's (kept visible);
//   'unsigned'      frames under this member's key that it did not sign arrived (forged, or not
//                   covered by its batch within the bound): its frames are now held until its
//                   signature covers them, so only its own are shown;
//   'unverified'    this member's frames wait for signed batches that do not come (the server may
//                   be withholding them): none is shown, and the tile says why rather than
//                   'encrypted' over a frozen picture; no accusation;
//   'offline'       the same while this page's own link to the server is down: the batches cannot
//                   arrive, and the tile says that instead of blaming the server;
//   'encrypted'     a frame opened under this member's key of the current (or previous) epoch;
//   'failing'       frames arrive but none open (no key yet, or authentication failures);
//   'waiting'       nothing arrived yet.
import { type SignatureStats, type WorkerStats } from '../../worker/messages';

export type TileSecurity = 'encrypted' | 'failing' | 'waiting' | 'wrong-sender' | 'detached' | 'unsigned' | 'refused' | 'unverified' | 'offline';

/** The states a tile explains in words on the tile itself (the others are said by its lock icon alone). */
export function isTileProblem(security: TileSecurity): boolean {
  return security !== 'encrypted' && security !== 'waiting';
}

const NO_SIGNATURES: SignatureStats = { byParticipant: new Map(), refused: [], badBatches: 0, coverage: { count: 0, meanMs: 0, maxMs: 0, late: 0 } };

/**
 * `linkDown`: this page's own signaling link is not open (reconnecting), so no batch can reach it
 * whatever the server does.
 */
export function tileSecurity(stats: WorkerStats, participantId: string, epoch: number, detached: ReadonlySet<string>, signatures: SignatureStats = NO_SIGNATURES, linkDown = false): TileSecurity {
  if (detached.has(participantId)) return 'detached';
  if (signatures.refused.includes(participantId)) return 'refused';
  const tally = stats.byParticipant.get(participantId);
  if (tally === undefined) return 'waiting';
  if (tally.wrongSender > 0) return 'wrong-sender';
  const signed = signatures.byParticipant.get(participantId);
  if (signed?.holding === true) return 'unsigned';
  if (signed?.unverified === true) return linkDown ? 'offline' : 'unverified';
  // The switch to a new epoch overlaps: frames of the one before still count.
  if (tally.openedEpoch >= epoch - 1 && tally.opened > 0) return 'encrypted';
  return tally.dropped > 0 ? 'failing' : 'waiting';
}
