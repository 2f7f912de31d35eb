// The room page's state machine: a tagged union of states and a pure transition function, so it
// can be exercised without a network. Effects (sending a knock, asking for a token, connecting
// LiveKit) are the controller's job; it runs them when it sees the state change.
import { type Role } from '../../../protocol/protocol';
import { message, type Message } from './i18n/message';

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
  /** 4403 or 4410 without the signed commit that says so: keys kept, reconnect offered ([D1]). */
  | 'server-closed'
  /** This browser could not sign the host challenge (no host key for this room). */
  | 'unproven'
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
export function lobbySentence(state: RoomState): Message | undefined {
  switch (state.kind) {
    case 'connecting':
      return message('lobby.connecting');
    case 'lobby':
      if (state.seat === 'host') return undefined;
      if (!state.knocked) return message(state.hostPresent ? 'lobby.hostHere' : 'lobby.hostAway');
      return message(state.hostPresent ? 'lobby.waitingAdmission' : 'lobby.waitingHost');
    case 'joining':
      return message('lobby.joining');
    case 'call':
      return undefined;
    case 'left':
      return message('lobby.left');
    case 'blocked':
      return message(`blocked.${state.reason}`);
  }
}
