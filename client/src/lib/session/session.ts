// The session core: the end-to-end encrypted side of a room page, between the signaling socket and
// the media keys, in plain TypeScript (no runes, no DOM). It takes a channel, a media sink and a
// clock, and tells a view that something changed (e2ee/secure-room.svelte.ts renders it). The
// app, the in-memory tier (tests/memory) and the headless driver (tests/driver) all run this code.
//   - reads the room's commit log (`sync`, `commits`, `commit`) into the Membership, and installs
//     each new epoch's keys in the media Worker;
//   - a guest knocks with a sealed join request once the host's key is verified from the log;
//   - a host's knocks and membership changes go through its HostDesk (host-desk.svelte.ts), which
//     publishes commits here;
//   - in-call app messages (chat, media state) sealed under the epoch's key.
// A `sync` answer may come in parts; the host acts on the log (creates, admits early knocks) and
// a reconnected socket counts as caught up only after its last part.
// Every server message is untrusted: what does not verify is counted and dropped.
import { type AppMessageType, appMessageEpoch } from '../../../../crypto/index';
import { fromBase64Url, toBase64Url } from '../../../../crypto/index';
import { CONFIRM_DELAY_MS, CONFIRM_JITTER_MS, REFUSALS_KEPT } from '../../../../protocol/limits';
import { ErrorCode, type ServerMessage } from '../../../../protocol/protocol';
import { trace } from '../e2ee/trace';
import { type Channel, type Outgoing } from './channel';
import { Changes } from './changes';
import { type GenesisRecord, HostDesk, type Publisher } from './host-desk';
import { type BehindEffect, LeftBehind } from './left-behind';
import { type Clock, type MediaSink, PAGE_CLOCK } from './media-sink';
import { MediaSignatures } from './media-signatures';
import { Membership, type MemberView, type PreparedCommit, type WireCommit } from './membership';
import { type RoomContext, type SelfKeys, type Signer } from '../../../../crypto/index';

/** Who this page is in which room: the link's room context, its keys, and its page life. */
export interface Seat {
  readonly room: RoomContext;
  readonly self: SelfKeys;
  /** This page life's SFrame counter space, or null when none could be claimed (it never sends). */
  readonly life: number | null;
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

export interface SessionEvents {
  /** A commit removed this member. */
  removed(): void;
  ended(): void;
}

/** A commit (or a part of a sync answer) this page refused; its state stayed as it was. */
export interface Refusal {
  readonly source: 'commit' | 'log' | 'lobby';
  /** The epoch the server's message states (for a log, its last entry). */
  readonly epoch: number;
  readonly reason: string;
  readonly message: string;
}



export interface SessionOptions {
  readonly genesis?: GenesisRecord;
  readonly clock?: Clock;
  /** This page's per-room host key: registered with the server, used if the host role comes here. */
  readonly hostKey?: Signer;
}

/**
 * [D1] What a close with 4403 or 4410 means to this page: the server's word alone is not enough.
 * 'removed' / 'ended' only when the verified chain holds this member's removal or the end commit;
 * otherwise 'server-closed': the server disconnected it, and it keeps its keys.
 */
export type Departure = 'removed' | 'ended' | 'server-closed';

/** Wait before asking again when the server refused a `sync` for its rate limit. */
const SYNC_RETRY_MS = 1000;

export class Session implements Publisher {
  /** Fires whenever anything a view shows may have changed (membership, knocks, problems). */
  readonly changes: Changes;
  readonly membership: Membership;
  /** The host's knocks and membership changes. */
  readonly host: HostDesk;
  /** In-call messages that did not open or verify. */
  droppedMessages = 0;
  /** Why the host's last membership change could not be made (e.g. the room is full), for the host. */
  problem: string | undefined;
  /**
   * The epoch the server seems to withhold from this member ([W1], left-behind.ts): others use it,
   * it does not arrive, so this page sends nothing until it does.
   */
  withheld: number | undefined;
  /**
   * [F1] Members whose epoch confirmation disagrees with this page's commit for the same epoch:
   * they hold another version of the member list or its secret (an equivocating host or server).
   */
  forks: readonly { readonly epoch: number; readonly name: string }[] = [];
  /** In-call messages under this page's own epoch that did not open: another version of it, or altered. */
  unopenedCurrent = 0;
  /** The latest commits and log parts this page refused, newest last (at most REFUSALS_KEPT). */
  readonly refusals: Refusal[] = [];
  /** The typed reason of `problem`, when crypto/ gave one (e.g. room-full). */
  problemReason: string | undefined;

  readonly #channel: Channel;
  readonly #media: MediaSink;
  readonly #events: SessionEvents;
  readonly #clock: Clock;
  readonly hostKey: Signer | undefined;
  readonly roomId: string;
  participantId: string | undefined;
  #knockName: string | undefined;
  #knockSent = false;
  /** A join request is being signed: one knock at a time. */
  #knockSealing = false;
  /** Host operations run one at a time, each on the state the one before left (publish). */
  #hostQueue: Promise<unknown> = Promise.resolve();
  /** In-call messages are signed and sent one at a time, in the order sendApp was called. */
  #appQueue: Promise<unknown> = Promise.resolve();
  /** A sync was sent and not answered yet: relayed commits until then are in the answer anyway. */
  #syncPending = false;
  #resyncedAt = -1;
  readonly #appHandlers = new Set<AppHandler>();
  readonly #ackHandlers = new Set<(id: string) => void>();
  readonly #syncedHandlers = new Set<() => void>();
  /** The socket is new and its first sync answer has not been read yet. */
  #freshSocket = false;
  readonly #behind = new LeftBehind();
  /** The epoch this page last scheduled its confirmation for. */
  #confirmScheduled = -1;
  #behindTimer: (() => void) | undefined;
  /** [M1] Media signing keys and batches (media-signatures.ts); absent when the sink signs nothing. */
  readonly #signatures: MediaSignatures | undefined;

  constructor(seat: Seat, media: MediaSink, channel: Channel, events: SessionEvents, options: SessionOptions = {}) {
    this.changes = new Changes();
    this.membership = new Membership(seat.room, seat.self, seat.life, this.changes);
    this.#media = media;
    this.#channel = channel;
    this.#events = events;
    this.#clock = options.clock ?? PAGE_CLOCK;
    this.hostKey = options.hostKey;
    this.roomId = toBase64Url(seat.room.roomId);
    this.host = new HostDesk(this, options.genesis, this.changes);
    media.onNewerEpoch((epoch) => this.#sawNewer(epoch));
    this.#signatures =
      media.signed === undefined
        ? undefined
        : new MediaSignatures(media.signed, {
            life: seat.life,
            epoch: () => this.membership.epoch,
            roomId: () => seat.room.roomId,
            sendApp: (type, body, to) => this.sendApp(type, body, to),
            send: (message) => this.send(message),
            memberAt: (index) => this.membership.members.find((m) => m.index === index)?.participantId,
          }, this.#clock);
  }

  /** Evidence that the others are in `epoch`, newer than ours: resync, and hold sending if it does not come. */
  #sawNewer(epoch: number): void {
    const own = this.membership.epoch;
    if (own === null) return;
    this.#runBehind(this.#behind.saw(epoch, own, this.#clock.now()));
    const deadline = this.#behind.deadline;
    if (deadline !== undefined && this.#behindTimer === undefined) {
      this.#behindTimer = this.#clock.after(Math.max(0, deadline - this.#clock.now()), () => {
        this.#behindTimer = undefined;
        this.#checkBehind();
      });
    }
  }

  #checkBehind(): void {
    const own = this.membership.epoch;
    if (own !== null) this.#runBehind(this.#behind.check(own, this.#clock.now()));
  }

  #runBehind(effects: readonly BehindEffect[]): void {
    for (const effect of effects) {
      if (effect.type === 'resync') this.#sync();
      else if (effect.type === 'withhold') {
        this.withheld = effect.epoch;
        this.#media.hold();
        trace('withheld', effect.epoch);
      } else {
        this.withheld = undefined;
        this.#media.release();
      }
      this.changes.emit();
    }
  }

  /** A (re)connected socket: read what was committed since the epoch held. */
  welcomed(participantId: string): void {
    this.participantId = participantId;
    this.#knockSent = false;
    this.#freshSocket = true;
    this.#sync();
    // In case the host role is handed here: the server binds it to this key, not to a bearer secret.
    if (this.hostKey !== undefined) this.send({ type: 'host-key', publicKey: toBase64Url(this.hostKey.publicKey) });
  }

  /**
   * [D1] Commits the server sent on a socket it then closed without a welcome (a removed member's
   * resume token: the commits up to its removal). Read for this member's own signed removal only.
   */
  readRevocation(commits: readonly WireCommit[]): void {
    const applied = this.membership.applyLog(commits, false);
    this.#refused('log', commits.at(-1)?.epoch ?? -1, applied.refused);
    if (applied.effects.some((e) => e.type === 'removed')) this.#events.removed();
  }

  /** [D1] What a close with `code` (4403 removed, 4410 ended) means, by the verified chain only. */
  departure(): Departure {
    // The verified chain's own state: a commit this page read, or (the host's own end) made.
    const kind = this.membership.state.kind;
    return kind === 'removed' || kind === 'ended' ? kind : 'server-closed';
  }

  #sync(): void {
    const epoch = this.membership.epoch;
    this.#syncPending = this.send(epoch === null ? { type: 'sync' } : { type: 'sync', afterEpoch: epoch });
  }

  receive(message: ServerMessage): void {
    switch (message.type) {
      case 'commits':
        if (message.lobby !== undefined) this.#lobby(message.lobby);
        this.#log(message.commits, message.more === true);
        break;
      case 'lobby':
        this.#lobby(message.lobby);
        this.#sendKnock();
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
      case 'host-keys':
        this.host.hostKeys(message.keys);
        break;
      case 'handed-over':
        this.host.handedOver(message.epoch);
        break;
      case 'error':
        if (message.ref === 'commit' && message.code === ErrorCode.handOverRefused) this.host.handOverRefused(message.message);
        // The server's sync budget ran out: the log still has to be read, a moment later.
        if (message.ref === 'sync' && message.code === ErrorCode.rateLimited && this.#syncPending) {
          this.#syncPending = false;
          this.#clock.after(SYNC_RETRY_MS, () => this.#sync());
        }
        break;
      default:
        break;
    }
  }

  // --- in-call messages (chat, media state): signed by the sender, sealed under the epoch key

  /**
   * Seal and relay an in-call message to one member or all; false if not in the room or offline.
   * Signing is asynchronous, so true means queued: messages are sealed and sent in call order, and
   * `sent` settles with whether this one went out (a socket that died meanwhile: the chat outbox
   * resends what was not acknowledged).
   */
  sendApp(type: AppMessageType, body: Uint8Array, to: string | 'all', id?: string): boolean {
    if (this.membership.state.kind !== 'member' || !this.#channel.open) return false;
    const sent = this.#appQueue.then(async () => {
      const payload = await this.membership.seal(type, body);
      return payload !== null && this.send({ type: 'relay', to, payload, ...(id !== undefined ? { id } : {}) });
    });
    this.#appQueue = sent.catch(() => false);
    return true;
  }

  /** Settles once every host operation and in-call message queued so far has been signed and sent (or dropped). */
  async settled(): Promise<void> {
    let queued: [unknown, unknown];
    do {
      queued = [this.#hostQueue, this.#appQueue];
      await Promise.all(queued);
    } while (queued[0] !== this.#hostQueue || queued[1] !== this.#appQueue);
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

  #refused(source: Refusal['source'], epoch: number, reason: string | undefined): void {
    if (reason === undefined) return;
    this.refusals.push({ source, epoch, reason, message: this.membership.lastRefusal ?? reason });
    if (this.refusals.length > REFUSALS_KEPT) this.refusals.shift();
  }

  #log(commits: readonly WireCommit[], more: boolean): void {
    const applied = this.membership.applyLog(commits, !more);
    this.#refused('log', commits.at(-1)?.epoch ?? -1, applied.refused);
    this.#after(applied.effects.map((e) => e.type));
    if (more) return; // the rest of the answer follows; relayed commits are in it
    this.#syncPending = false;
    this.#confirm();
    this.host.create();
    this.host.flushEarly();
    if (this.#freshSocket) {
      this.#freshSocket = false;
      this.#signatures?.synced();
      for (const handler of this.#syncedHandlers) handler();
    }
  }

  #lobby(record: string): void {
    this.#refused('lobby', -1, this.membership.applyLobby(record).refused);
  }

  #commit(commit: WireCommit): void {
    if (this.#syncPending) return;
    const applied = this.membership.apply(commit);
    this.#refused('commit', commit.epoch, applied.refused);
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
    this.#checkBehind();
    this.#sendKnock();
  }

  #installKeys(): void {
    const keys = this.membership.epochKeys();
    if (keys !== null) trace('epoch', keys.epoch);
    if (keys !== null) this.#media.install(keys);
    this.#signatures?.installed();
    this.#confirm();
  }

  /**
   * Tell every member which commit this page holds for its new epoch, once per epoch. Not urgent,
   * and n members confirming to n - 1 others is n^2 messages: each page waits CONFIRM_DELAY_MS plus
   * up to CONFIRM_JITTER_MS, so the burst is spread and stays out of the way of the key switch.
   */
  #confirm(): void {
    const epoch = this.membership.epoch;
    if (epoch === null || epoch <= this.#confirmScheduled) return;
    this.#confirmScheduled = epoch;
    this.#clock.after(CONFIRM_DELAY_MS + Math.floor(Math.random() * CONFIRM_JITTER_MS), () => {
      const body = this.membership.confirmation();
      if (this.membership.epoch !== epoch || body === null) return; // a newer epoch will confirm itself
      if (!this.sendApp('epochConfirm', body, 'all')) this.#confirmScheduled = epoch - 1; // try again after the next sync
    });
  }

  #sendKnock(): void {
    if (this.#knockName === undefined || this.#knockSent || this.#knockSealing || this.membership.state.kind !== 'lobby' || this.participantId === undefined) return;
    this.#knockSealing = true;
    const participantId = this.participantId;
    let again = false;
    void this.membership
      .joinRequest(participantId, this.#knockName)
      .then((payload) => {
        // A new socket meanwhile (a new participant id): seal again for that one.
        again = this.participantId !== participantId;
        if (payload === null || again || this.#knockSent || this.membership.state.kind !== 'lobby') return;
        this.#knockSent = this.send({ type: 'knock', payload });
        if (this.#knockSent) trace('knock-sent');
      })
      .catch((error: unknown) => console.warn(`room: the join request could not be signed: ${error instanceof Error ? error.message : 'unknown error'}`))
      .finally(() => {
        this.#knockSealing = false;
        if (again) this.#sendKnock();
      });
  }

  #relayed(payload: string): void {
    if (this.#signatures?.relayed(payload) === true) return;
    let message;
    try {
      message = this.membership.open(payload);
    } catch {
      this.droppedMessages++;
      this.changes.emit();
      this.#newerMessage(payload);
      return;
    }
    if (message.from === undefined) {
      this.droppedMessages++; // signed by a member of an epoch who is no longer in the list
      this.changes.emit();
      return;
    }
    // Rekey requests are no longer needed (page lives keep counters apart) and are not granted:
    // one member could otherwise make the host commit every few seconds and fill the log.
    if (message.type === 'rekeyRequest') return;
    if (message.type === 'mediaKey') {
      try {
        this.#signatures?.statement(message.from, message.epoch, message.body);
      } catch {
        this.droppedMessages++;
        this.changes.emit();
      }
      return;
    }
    if (message.type === 'epochConfirm') {
      if (this.membership.checkConfirmation(message.body) === 'fork') {
        this.forks = [...this.forks, { epoch: message.epoch, name: message.from.name }];
        trace('fork', `${message.epoch}`);
        this.changes.emit();
      }
      return;
    }
    const delivery: AppDelivery = { type: message.type, body: message.body, from: message.from, seq: message.seq, epoch: message.epoch };
    for (const handler of this.#appHandlers) handler(delivery);
  }

  /**
   * An in-call message that did not open: one of a newer epoch is evidence of a commit we lack;
   * one of our own epoch means its sender holds another version of it (or the server altered it).
   */
  #newerMessage(payload: string): void {
    let epoch: number;
    try {
      epoch = appMessageEpoch(fromBase64Url(payload));
    } catch {
      return; // not even a readable header: nothing to learn from it
    }
    if (epoch === this.membership.epoch) {
      this.unopenedCurrent++;
      this.changes.emit();
    } else this.#sawNewer(epoch);
  }

  send(message: Outgoing): boolean {
    return this.#channel.send(message);
  }

  /**
   * Make a commit and send it, with the server-side message it goes with (`before`: admit and
   * which must reach the server first so the envelopes are delivered; `after`: remove, lock and
   * end, which the server acts on once members have the commit). Then install its keys.
   * Only with an open socket: a commit made but never delivered would fork this host's chain from
   * the server's log. A change crypto/ refuses (the room is full...) sends nothing at all.
   * Signing is asynchronous: operations are queued and each one is made on the state the one
   * before left, so two quick changes give two consecutive epochs, never two commits on one. A
   * commit whose base moved on while it was signed is dropped unsent. `make` returns null when
   * there is nothing to do any more. Settles with whether the commit went out.
   */
  publish(make: () => Promise<PreparedCommit | null>, before?: Outgoing, after?: Outgoing): Promise<boolean> {
    return this.serialize(() => this.#publishNow(make, before, after));
  }

  /** Run `task` after every host operation queued before it, and before any queued after. */
  serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#hostQueue.then(task);
    this.#hostQueue = run.catch(() => undefined);
    return run;
  }

  async #publishNow(make: () => Promise<PreparedCommit | null>, before?: Outgoing, after?: Outgoing): Promise<boolean> {
    if (!this.#channel.open || this.host.handingOver) return false;
    let prepared: PreparedCommit | null;
    try {
      prepared = await make();
    } catch (error) {
      this.report(error instanceof Error ? error.message : 'the change could not be made', error instanceof Error && 'reason' in error ? String(error.reason) : undefined);
      return false;
    }
    if (prepared === null) return false;
    if (!this.#channel.open || this.host.handingOver) return false;
    if (!prepared.adopt()) {
      this.report('the room changed while this change was being signed; it was not made', 'stale');
      return false;
    }
    if (this.problem !== undefined) this.report(undefined, undefined);
    if (before) this.send(before);
    const sent = this.send(prepared.message);
    if (after) this.send(after);
    this.#installKeys();
    return sent;
  }

  adopted(): void {
    this.#installKeys();
  }

  report(problem: string | undefined, reason: string | undefined): void {
    this.problem = problem;
    this.problemReason = reason;
    this.changes.emit();
  }
}
