// The view of a room page's session core (session/session.ts) for the components: the same names,
// read reactively. Every getter subscribes the reading effect to the core's change signal, and
// every action is passed straight through, so this file holds no rule of its own.
import { createSubscriber } from 'svelte/reactivity';
import { type Channel } from '../session/channel';
import { type PendingKnock, type HostDesk } from '../session/host-desk';
import { type MediaSink } from '../session/media-sink';
import { type Membership, type MemberView } from '../session/membership';
import { type AppHandler, type Seat, Session, type SessionEvents, type SessionOptions } from '../session/session';

export type { AppDelivery, AppHandler } from '../session/session';

/** What the components read of the membership. */
export class MembershipView {
  readonly #core: Membership;
  readonly #subscribe: () => void;

  constructor(core: Membership, subscribe: () => void) {
    this.#core = core;
    this.#subscribe = subscribe;
  }

  #read<T>(value: () => T): T {
    this.#subscribe();
    return value();
  }

  get state() {
    return this.#read(() => this.#core.state);
  }
  get members(): readonly MemberView[] {
    return this.#read(() => this.#core.members);
  }
  get epoch(): number | null {
    return this.#read(() => this.#core.epoch);
  }
  get code() {
    return this.#read(() => this.#core.code);
  }
  get isHost(): boolean {
    return this.#read(() => this.#core.isHost);
  }
  get hostKnown(): boolean {
    return this.#read(() => this.#core.hostKnown);
  }
  get locked(): boolean {
    return this.#read(() => this.#core.locked);
  }
  get refusals(): number {
    return this.#read(() => this.#core.refusals);
  }
  get lastRefusal(): string | undefined {
    return this.#read(() => this.#core.lastRefusal);
  }
  /** The code the host sees beside this page's knock; it depends on keys only, so it never changes. */
  get ownKnockCode(): string {
    return this.#core.ownKnockCode;
  }
}

/** What the host's controls read and do. */
class HostView {
  readonly #core: HostDesk;
  readonly #subscribe: () => void;

  constructor(core: HostDesk, subscribe: () => void) {
    this.#core = core;
    this.#subscribe = subscribe;
  }

  get knocks(): readonly PendingKnock[] {
    this.#subscribe();
    return this.#core.knocks;
  }
  get droppedKnocks(): number {
    this.#subscribe();
    return this.#core.droppedKnocks;
  }
  start(name: string): void {
    this.#core.start(name);
  }
  admit(ids: readonly string[]): void {
    this.#core.admit(ids);
  }
  admitUnflagged(): void {
    this.#core.admitUnflagged();
  }
  deny(ids: readonly string[]): void {
    this.#core.deny(ids);
  }
  remove(ids: readonly string[]): void {
    this.#core.remove(ids);
  }
  setLocked(locked: boolean): void {
    this.#core.setLocked(locked);
  }
  end(): void {
    this.#core.end();
  }
  transfer(participantId: string): void {
    this.#core.transfer(participantId);
  }
  clearLobby(): void {
    this.#core.clearLobby();
  }
  get handingOver(): boolean {
    this.#subscribe();
    return this.#core.handingOver;
  }
}

export class SecureRoom {
  readonly core: Session;
  readonly membership: MembershipView;
  readonly host: HostView;
  readonly #subscribe: () => void;

  constructor(seat: Seat, media: MediaSink, channel: Channel, events: SessionEvents, options?: SessionOptions) {
    this.core = new Session(seat, media, channel, events, options);
    this.#subscribe = createSubscriber((update) => this.core.changes.subscribe(update));
    this.membership = new MembershipView(this.core.membership, this.#subscribe);
    this.host = new HostView(this.core.host, this.#subscribe);
  }

  get problem(): string | undefined {
    this.#subscribe();
    return this.core.problem;
  }
  /** A typed reason for `problem` when there is one (crypto/'s reasons, or LOST_LOG). */
  get problemReason(): string | undefined {
    this.#subscribe();
    return this.core.problemReason;
  }
  get withheld(): number | undefined {
    this.#subscribe();
    return this.core.withheld;
  }
  get forks(): Session['forks'] {
    this.#subscribe();
    return this.core.forks;
  }
  /** In-call messages that did not open or verify. */
  get droppedMessages(): number {
    this.#subscribe();
    return this.core.droppedMessages;
  }
  get unopenedCurrent(): number {
    this.#subscribe();
    return this.core.unopenedCurrent;
  }

  /** [D1] What a 4403/4410 close means, by the verified chain only. */
  departure(): ReturnType<Session['departure']> {
    return this.core.departure();
  }
  readRevocation(commits: Parameters<Session['readRevocation']>[0]): void {
    this.core.readRevocation(commits);
  }
  welcomed(participantId: string): void {
    this.core.welcomed(participantId);
  }
  receive(message: Parameters<Session['receive']>[0]): void {
    this.core.receive(message);
  }
  knock(name: string): void {
    this.core.knock(name);
  }
  sendApp(...args: Parameters<Session['sendApp']>): boolean {
    return this.core.sendApp(...args);
  }
  onApp(handler: AppHandler): () => void {
    return this.core.onApp(handler);
  }
  onSynced(handler: () => void): () => void {
    return this.core.onSynced(handler);
  }
  onAck(handler: (id: string) => void): () => void {
    return this.core.onAck(handler);
  }
}
