// The room page's state machine: a tagged union of states and a pure transition function, so it
// can be exercised without a network. Effects (sending a knock, asking for a token, connecting
// LiveKit) are the controller's job; it runs them when it sees the state change.
import { type Role } from '../../../protocol/protocol';

/** Why this page cannot go on. Each has a sentence in lobbySentence. */
export type Blocked =
  | 'damaged-link'
  | 'missing-link'
  | 'wrong-link'
  | 'not-found'
  | 'ended'
  | 'full'
  | 'locked'
  | 'lobby-full'
  | 'denied'
  | 'removed'
  | 'replaced'
  | 'unreachable'
  | 'unsupported'
  | 'failed';

export type Seat = 'host' | 'guest';

export type RoomState =
  | { readonly kind: 'connecting' }
  /** Preview, name and join button. A guest who has knocked waits here for the host. */
  | { readonly kind: 'lobby'; readonly seat: Seat; readonly hostPresent: boolean; readonly knocked: boolean }
  /** Asked for (or was handed) a LiveKit grant and is connecting to it. */
  | { readonly kind: 'joining'; readonly seat: Seat }
  | { readonly kind: 'call'; readonly seat: Seat }
  | { readonly kind: 'left' }
  | { readonly kind: 'blocked'; readonly reason: Blocked };

export type RoomEvent =
  | { readonly type: 'welcome'; readonly role: Role; readonly hostPresent: boolean }
  | { readonly type: 'host-present'; readonly present: boolean }
  /** A guest asked to join. */
  | { readonly type: 'knock' }
  /** The host started the call. */
  | { readonly type: 'start' }
  | { readonly type: 'admitted' }
  /** This member became host. */
  | { readonly type: 'promoted' }
  | { readonly type: 'connected' }
  | { readonly type: 'blocked'; readonly reason: Blocked }
  | { readonly type: 'left' };

export const initialState: RoomState = { kind: 'connecting' };

export function seatOf(state: RoomState): Seat | undefined {
  return state.kind === 'lobby' || state.kind === 'joining' || state.kind === 'call' ? state.seat : undefined;
}

export function transition(state: RoomState, event: RoomEvent): RoomState {
  if (state.kind === 'blocked' || state.kind === 'left') return state;
  switch (event.type) {
    case 'blocked':
      return { kind: 'blocked', reason: event.reason };
    case 'left':
      return { kind: 'left' };
    case 'welcome':
      return welcomed(state, event.role, event.hostPresent);
    case 'host-present':
      return state.kind === 'lobby' ? { ...state, hostPresent: event.present } : state;
    case 'knock':
      return state.kind === 'lobby' && state.seat === 'guest' ? { ...state, knocked: true } : state;
    case 'start':
      return state.kind === 'lobby' && state.seat === 'host' ? { kind: 'joining', seat: 'host' } : state;
    case 'admitted':
      return state.kind === 'lobby' && state.seat === 'guest' ? { kind: 'joining', seat: 'guest' } : state;
    case 'promoted':
      return state.kind === 'lobby' || state.kind === 'joining' || state.kind === 'call' ? { ...state, seat: 'host' } : state;
    case 'connected':
      return state.kind === 'joining' ? { kind: 'call', seat: state.seat } : state;
  }
}

function welcomed(state: RoomState, role: Role, hostPresent: boolean): RoomState {
  const inCall = state.kind === 'joining' || state.kind === 'call';
  switch (role) {
    case 'host':
      return inCall ? { ...state, seat: 'host' } : { kind: 'lobby', seat: 'host', hostPresent: true, knocked: false };
    case 'member':
      // A resumed member: stay in the call, or go on joining if the session dropped mid-way.
      return inCall ? state : { kind: 'joining', seat: 'guest' };
    case 'lobby':
      // A fresh lobby session. Someone already in the call lost their seat and asks again.
      return { kind: 'lobby', seat: 'guest', hostPresent, knocked: inCall || (state.kind === 'lobby' && state.knocked) };
  }
}

/** The sentence shown in [data-testid=lobby-state], or undefined when nothing needs saying. */
export function lobbySentence(state: RoomState): string | undefined {
  switch (state.kind) {
    case 'connecting':
      return 'Connecting to the room…';
    case 'lobby':
      if (state.seat === 'host') return undefined;
      if (!state.knocked) return state.hostPresent ? 'The host is here. Enter your name and ask to join.' : 'Waiting for the host to arrive. You can ask to join now.';
      return state.hostPresent ? 'Waiting to be admitted by the host…' : 'Waiting for the host to arrive…';
    case 'joining':
      return 'Joining the call…';
    case 'call':
      return undefined;
    case 'left':
      return 'You left the call.';
    case 'blocked':
      return BLOCKED_SENTENCES[state.reason];
  }
}

const BLOCKED_SENTENCES: Record<Blocked, string> = {
  'damaged-link': 'This link is damaged. Ask the host to send it again, and copy all of it.',
  'missing-link': 'This link is incomplete: the part after # is missing. Ask the host for the full link.',
  'wrong-link': 'This link is wrong for this room. Ask the host for the current link.',
  'not-found': 'Room not found, or it has ended.',
  ended: 'This room has ended.',
  full: 'This room is full.',
  locked: 'This room is locked. The host is not letting anyone else in.',
  'lobby-full': 'Too many people are waiting to join this room. Try again in a moment.',
  denied: 'The host denied your request to join.',
  removed: 'The host removed you from the call.',
  replaced: 'You joined this room from another tab, so this one was disconnected.',
  unreachable: 'The connection to the server was lost.',
  unsupported: 'This browser cannot encrypt calls end to end. Use a current Chrome, Edge, Firefox or Safari.',
  failed: 'Something went wrong while connecting to this room.',
};
