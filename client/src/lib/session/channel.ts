// The signaling socket as the session core sees it: send a client message (the version is added on
// the way out), and whether it is open. signaling.svelte.ts in the app; a real WebSocket in the
// headless driver; an in-memory queue in tests/memory.
import { type ClientMessage } from '../../../../protocol/protocol';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A client message without its version field: the channel adds it. */
export type Outgoing = DistributiveOmit<ClientMessage, 'v'>;

export interface Channel {
  send(message: Outgoing): boolean;
  readonly open: boolean;
}
