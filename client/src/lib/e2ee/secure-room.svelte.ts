// The end-to-end encrypted side of a room page, between the signaling socket and the media keys:
//   - reads the room's commit log (`sync`, `commits`, `commit`) into the Membership, and installs
//     each new epoch's keys in the media Worker;
//   - a guest knocks with a sealed join request once the host's key is verified from the log;
//   - a host's knocks and membership changes go through its HostDesk (host-desk.svelte.ts), which
//     publishes commits here;
//   - in-call app messages (chat, media state) sealed under the epoch's key.
// A `sync` answer may come in parts; the host acts on the log (creates, admits early knocks) and
// a reconnected socket counts as caught up only after its last part.
// Every server message is untrusted: what does not verify is counted and dropped.
import { type ServerMessage } from '../../../../protocol/protocol';
import { type Outgoing } from '../signaling.svelte';
import { HostDesk, type Publisher } from './host-desk.svelte';
import { type MediaKeys } from './media-keys.svelte';
import { type AppMessageType } from '../../../../crypto/app-message';
import { type CommitMessage, Membership, type MemberView, type WireCommit } from './membership.svelte';
import { trace } from './trace';

/** The signaling socket, as this class needs it. */
export interface Channel {
  send(message: Outgoing): boolean;
  readonly open: boolean;
}

/** An in-call message that opened and verified, from a member of the current or previous epoch. */
export interface AppDelivery {
  readonly type: AppMessageType;
  readonly body: Uint8Array;
  /** The sender as the signed member list names it. */
  readonly from: MemberView;
  readonly seq: bigint;
  readonly epoch: number;
}
export type AppHandler = (delivery: AppDelivery) => void;

export interface SecureRoomEvents {
  /** A commit removed this member. */
  removed(): void;
  ended(): void;
}

export class SecureRoom implements Publisher {
  readonly membership: Membership;
  /** The host's knocks and membership changes. */
  readonly host: HostDesk;
  /** In-call messages that did not open or verify. */
  droppedMessages = $state(0);
  /** Why the host's last membership change could not be made (e.g. the room is full), for the host. */
  problem = $state<string | undefined>(undefined);

  readonly #channel: Channel;
  readonly #media: MediaKeys;
  readonly #events: SecureRoomEvents;
  participantId: string | undefined;
  #knockName: string | undefined;
  #knockSent = false;
  /** A sync was sent and not answered yet: relayed commits until then are in the answer anyway. */
  #syncPending = false;
  #resyncedAt = -1;
  readonly #appHandlers = new Set<AppHandler>();
  readonly #ackHandlers = new Set<(id: string) => void>();
  readonly #syncedHandlers = new Set<() => void>();
  /** The socket is new and its first sync answer has not been read yet. */
  #freshSocket = false;

  constructor(membership: Membership, media: MediaKeys, channel: Channel, events: SecureRoomEvents) {
    this.membership = membership;
    this.#media = media;
    this.#channel = channel;
    this.#events = events;
    this.host = new HostDesk(this);
  }

  /** A (re)connected socket: read what was committed since the epoch held. */
  welcomed(participantId: string): void {
    this.participantId = participantId;
    this.#knockSent = false;
    this.#freshSocket = true;
    this.#sync();
  }

  #sync(): void {
    const epoch = this.membership.epoch;
    this.#syncPending = this.send(epoch === null ? { type: 'sync' } : { type: 'sync', afterEpoch: epoch });
  }

  receive(message: ServerMessage): void {
    switch (message.type) {
      case 'commits':
        this.#log(message.commits, message.more === true);
        break;
      case 'commit':
        this.#commit(message);
        break;
      case 'knock':
        this.host.knocked(message.from, message.payload);
        break;
      case 'left':
        this.host.left(message.participants);
        break;
      case 'relay':
        this.#relayed(message.payload);
        break;
      case 'ack':
        for (const handler of this.#ackHandlers) handler(message.id);
        break;
      default:
        break;
    }
  }

  // --- in-call messages (chat, media state): signed by the sender, sealed under the epoch key

  /** Seal and relay an in-call message to one member or all; false if not in the room or offline. */
  sendApp(type: AppMessageType, body: Uint8Array, to: string | 'all', id?: string): boolean {
    const payload = this.membership.seal(type, body);
    if (payload === null) return false;
    return this.send({ type: 'relay', to, payload, ...(id !== undefined ? { id } : {}) });
  }

  /** Receive every verified in-call message other than protocol ones (rekey requests). */
  onApp(handler: AppHandler): () => void {
    this.#appHandlers.add(handler);
    return () => this.#appHandlers.delete(handler);
  }

  /**
   * A (re)connected socket has read what was committed while it was away: the epoch is current
   * again, so what is sealed now opens for the others. Resends and announcements wait for this.
   */
  onSynced(handler: () => void): () => void {
    this.#syncedHandlers.add(handler);
    return () => this.#syncedHandlers.delete(handler);
  }

  /** The server fanned out the relay sent with this id. */
  onAck(handler: (id: string) => void): () => void {
    this.#ackHandlers.add(handler);
    return () => this.#ackHandlers.delete(handler);
  }

  // --- guest

  /** Ask to join as `name`: sent now if the host's key is known, else as soon as it is. */
  knock(name: string): void {
    this.#knockName = name;
    this.#sendKnock();
  }

  // --- internals

  #log(commits: readonly WireCommit[], more: boolean): void {
    const applied = this.membership.applyLog(commits, !more);
    this.#after(applied.effects.map((e) => e.type));
    if (more) return; // the rest of the answer follows; relayed commits are in it
    this.#syncPending = false;
    this.host.create();
    this.host.flushEarly();
    if (this.#freshSocket) {
      this.#freshSocket = false;
      for (const handler of this.#syncedHandlers) handler();
    }
  }

  #commit(commit: WireCommit): void {
    if (this.#syncPending) return;
    const applied = this.membership.apply(commit);
    // A commit we missed (a dropped message): read the log once for that epoch.
    if (applied.refused === 'gap' && this.#resyncedAt !== commit.epoch) {
      this.#resyncedAt = commit.epoch;
      this.#sync();
    }
    this.#after(applied.effects.map((e) => e.type));
  }

  #after(effects: readonly string[]): void {
    if (effects.includes('removed')) return this.#events.removed();
    if (effects.includes('ended')) return this.#events.ended();
    this.#installKeys();
    this.#sendKnock();
  }

  #installKeys(): void {
    const keys = this.membership.epochKeys();
    if (keys !== null) trace('epoch', keys.epoch);
    if (keys !== null) this.#media.install(keys);
  }

  #sendKnock(): void {
    if (this.#knockName === undefined || this.#knockSent || this.membership.state.kind !== 'lobby' || this.participantId === undefined) return;
    const payload = this.membership.joinRequest(this.participantId, this.#knockName);
    if (payload === null) return;
    this.#knockSent = this.send({ type: 'knock', payload });
    if (this.#knockSent) trace('knock-sent');
  }

  #relayed(payload: string): void {
    let message;
    try {
      message = this.membership.open(payload);
    } catch {
      this.droppedMessages++;
      return;
    }
    if (message.from === undefined) {
      this.droppedMessages++; // signed by a member of an epoch who is no longer in the list
      return;
    }
    // Rekey requests are no longer needed (page lives keep counters apart) and are not granted:
    // one member could otherwise make the host commit every few seconds and fill the log.
    if (message.type === 'rekeyRequest') return;
    const delivery: AppDelivery = { type: message.type, body: message.body, from: message.from, seq: message.seq, epoch: message.epoch };
    for (const handler of this.#appHandlers) handler(delivery);
  }

  send(message: Outgoing): boolean {
    return this.#channel.send(message);
  }

  /**
   * Make a commit and send it, with the server-side message it goes with (`before`: admit and
   * remove, which must reach the server first so the envelopes are delivered; `after`: lock, end
   * and hand-over, which the server acts on once members have the commit). Then install its keys.
   * Only with an open socket: a commit made but never delivered would fork this host's chain from
   * the server's log. A change crypto/ refuses (the room is full...) sends nothing at all.
   */
  publish(make: () => CommitMessage, before?: Outgoing, after?: Outgoing): boolean {
    if (!this.#channel.open) return false;
    let message: CommitMessage;
    try {
      message = make();
    } catch (error) {
      this.problem = error instanceof Error ? error.message : 'the change could not be made';
      console.warn(`room: could not make a commit: ${this.problem}`);
      return false;
    }
    this.problem = undefined;
    if (before) this.send(before);
    const sent = this.send(message);
    if (after) this.send(after);
    this.#installKeys();
    return sent;
  }
}
