// What the signaling client does when its socket closes (client/src/lib/signaling.svelte.ts), as a
// plain decision table. A browser sees an upgrade the server refused (401 unknown credential, 503
// the room is being taken over by another node, docs/decisions/0020) and a node that is down the
// same way: close 1006 without open. So a refused resume never ends the resume by itself: the
// client asks the HTTP API about the resume token (`GET /api/rooms/:id` with it as bearer), and
// only the server's explicit answer forgets it. Anything that is not an answer backs off and keeps it.
import { CloseCode } from '../../../protocol/protocol';

/** Why the socket is closed for good. */
export type CloseReason =
  | 'left' // we closed it
  | 'removed'
  | 'denied'
  | 'ended'
  | 'replaced'
  | 'rejected' // the server refused the upgrade (wrong link, unknown room, full, locked…)
  | 'protocol' // the server says we broke the protocol; retrying would repeat it
  | 'unproven' // we could not sign the host challenge: this browser lacks the room's host key
  | 'gave-up'; // it kept dropping; the person can retry

/** The hub's close of a resume token that was used up between the upgrade and the attach (server/hub.ts). */
export const CREDENTIAL_USED = 1008;

const FINAL_CODES: ReadonlyMap<number, CloseReason> = new Map([
  [CloseCode.removed, 'removed'],
  [CloseCode.denied, 'denied'],
  [CloseCode.roomEnded, 'ended'],
  [CloseCode.replaced, 'replaced'],
  [CloseCode.protocolViolation, 'protocol'],
  [CloseCode.tooBig, 'protocol'],
  [CloseCode.unproven, 'unproven'],
]);

export type CloseStep =
  | { readonly kind: 'finish'; readonly reason: CloseReason }
  /** Back off and try again with the same credential (the resume token, if any). */
  | { readonly kind: 'retry' }
  /** The server said the resume token is gone: forget it and connect with the link's credential. */
  | { readonly kind: 'start-over' }
  /** Ask the HTTP API whether the resume token still counts, then decide with `afterAnswer`. */
  | { readonly kind: 'ask' };

export interface CloseState {
  /** The socket that closed had been welcomed. */
  readonly welcomed: boolean;
  /** It was opened with a resume token. */
  readonly resuming: boolean;
  /** This client was welcomed once (it is a member, not a first connection). */
  readonly everWelcomed: boolean;
}

export function afterClose(code: number, state: CloseState): CloseStep {
  const final = FINAL_CODES.get(code);
  if (final !== undefined) return { kind: 'finish', reason: final };
  // A welcomed socket that drops (1006, 1001 shutdown, 1013 the room moved) resumes.
  if (state.welcomed) return { kind: 'retry' };
  if (state.resuming) return code === CREDENTIAL_USED ? { kind: 'start-over' } : { kind: 'ask' };
  // Never got in: the upgrade itself was refused. The controller asks the HTTP API why.
  if (!state.everWelcomed) return { kind: 'finish', reason: 'rejected' };
  return { kind: 'retry' };
}

/** The HTTP API's answer about a resume token (client/src/lib/api.ts `roomStatus`). */
export type ResumeAnswer =
  /** 200: the token still opens the room (or it is a removed member's, whose upgrade says so with its close). */
  | 'valid'
  /** 403: the room exists and the token is unknown (used, or forgotten with its participant). */
  | 'unknown'
  /** 404: there is no such room. */
  | 'no-room'
  /** No answer: network error, 5xx, a node that is down or still waiting out a lease. */
  | 'unreachable';

export function afterAnswer(answer: ResumeAnswer): CloseStep {
  switch (answer) {
    case 'valid':
    case 'unreachable':
      return { kind: 'retry' };
    case 'unknown':
      return { kind: 'start-over' };
    case 'no-room':
      return { kind: 'finish', reason: 'rejected' };
  }
}
