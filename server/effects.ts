// What the pure room state asks the socket layer to do. Rooms never touch sockets: every
// handler returns a list of effects, which server/hub.ts applies in order and unit tests inspect.
import { PROTOCOL_VERSION, MAX_MESSAGE_BYTES, type CloseCode, type ErrorCode, type ServerMessage } from '../protocol/protocol';

export type Effect =
  /** Send one message to a participant's current connection (dropped if it has none). */
  | { readonly kind: 'send'; readonly to: string; readonly message: ServerMessage }
  /** Mint a LiveKit grant and send it as `admitted` or `token` (asynchronous, kept in order). */
  | { readonly kind: 'grant'; readonly to: string; readonly as: 'admitted' | 'token' }
  /** Close a participant's current connection after what was queued for it. */
  | { readonly kind: 'close'; readonly to: string; readonly code: CloseCode; readonly reason: string }
  /** Best effort: remove the participant from the SFU room. */
  | { readonly kind: 'sfu-remove'; readonly participantId: string }
  /** The room ended: forget it and delete the SFU room, best effort. */
  | { readonly kind: 'ended' };

export function send(to: string, message: ServerMessage): Effect {
  return { kind: 'send', to, message };
}

export function error(to: string, code: ErrorCode, message: string, ref?: string): Effect {
  return send(to, { v: PROTOCOL_VERSION, type: 'error', code, message, ...(ref !== undefined ? { ref } : {}) });
}

/** Length of a message as the client's parser measures it (our JSON is ASCII). */
function encodedLength(message: ServerMessage): number {
  return JSON.stringify(message).length;
}

/** True when a message stays within the soft cap every client parser enforces. */
export function fits(message: ServerMessage): boolean {
  return encodedLength(message) <= MAX_MESSAGE_BYTES;
}
