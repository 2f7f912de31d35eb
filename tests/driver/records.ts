// What a driver member records for tests and benches to inspect: refused commits, dropped knocks,
// and the member list in a readable form. Reasons are crypto/'s typed reason codes.
import { participantIdText, type Reason, type ChainHead } from '../../crypto/index';

/** A commit (or a sync answer) this member's state machine refused; its state stayed as it was. */
export interface Refusal {
  readonly source: 'commit' | 'log';
  /** The epoch the server's message states (for a log, its last entry). */
  readonly epoch: number;
  readonly reason: Reason;
  readonly message: string;
}

/** A knock the host could not open or verify (openJoinRequest threw), so it was dropped. */
export interface DroppedKnock {
  readonly from: string;
  readonly reason: Reason;
}

/** One entry of the signed member list. */
export interface MemberInfo {
  readonly index: number;
  readonly participantId: string;
  readonly displayName: string;
}

export function memberInfos(head: ChainHead | null): MemberInfo[] {
  return (head?.members ?? []).map((m) => ({ index: m.index, participantId: participantIdText(m.participantId), displayName: m.displayName }));
}

