// The host's desk: the knocks waiting for an answer, and every membership change the host makes.
// Each change is a signed commit (crypto/host.ts via Membership) sent together with the server
// message that enforces what the server can (`admit` before it: seats and tokens; `remove`, `lock`,
// `end` after it, so the member learns it from the signed commit first). A hand-over is one message:
// the commit carries the outgoing host key's statement naming the incoming key, and the host applies
// it only once the server took it (docs/decisions/0017-host-authority-and-server-limits.md). Knocks are opened and checked here; one that does not verify is
// counted and dropped. Knocks that reach a returning host before its page has read the log are
// kept until it has.
// Each knock carries its knock code (crypto/knock-code.ts: host and guest compare it aloud) and
// its flags (decision 0015): a name this profile verified with another identity key, or a name
// that looks like a current member's or another waiting knock's (names.ts skeletons). A flagged
// knock is admitted only one at a time, never by admit-all.
import { equalBytes, fromBase64Url, handOverMessage, participantIdBytes, roomIdBytes, toBase64Url } from '../../../../crypto/index';
import { SealroomCryptoError } from '../../../../crypto/index';
import { type Admission, type Signer } from '../../../../crypto/index';
import { MAX_LOBBY } from '../../../../protocol/protocol';
import { type Contact, contactStatus } from '../e2ee/contacts';
import { trace } from '../e2ee/trace';
import { nameSkeletons, skeletonsMeet } from '../names';
import { type Outgoing } from './channel';
import { type Changes } from './changes';
import { type Membership, type MemberView, type PreparedCommit } from './membership';

/** Why a knock may not be who its name says. */
export type KnockFlag =
  /** This profile verified someone of this name (or one that looks like it) under another identity key. */
  | { readonly kind: 'known-key'; readonly name: string }
  /** A current member with another identity key has a name that looks like this one. */
  | { readonly kind: 'like-member'; readonly name: string }
  /** Another waiting knock with another identity key has a name that looks like this one. */
  | { readonly kind: 'like-knock'; readonly name: string };

export interface PendingKnock {
  readonly id: string;
  /** The name inside the verified join request. */
  readonly name: string;
  readonly admission: Admission;
  /** The knock code of the request's keys: the knocker's own lobby shows the same one. */
  readonly code: string;
  /** Empty for a knock nothing is known against. */
  readonly flags: readonly KnockFlag[];
}

/** A verified knock as kept: its flags are worked out when read, against the members of that moment. */
interface Knock {
  readonly id: string;
  readonly name: string;
  readonly admission: Admission;
  readonly code: string;
  readonly skeletons: readonly string[];
}

/** What the desk needs from the SecureRoom: the membership, and a way to publish a commit. */
export interface Publisher {
  readonly membership: Membership;
  /** This page's participant id, once welcomed. */
  readonly participantId: string | undefined;
  /** Queue a host operation: one at a time, each on the state the one before left; true if its commit went out. */
  publish(make: () => Promise<PreparedCommit | null>, before?: Outgoing, after?: Outgoing): Promise<boolean>;
  /** Run a task in the same queue as publish (a hand-over is made there too). */
  serialize<T>(task: () => Promise<T>): Promise<T>;
  send(message: Outgoing): boolean;
  /** A commit of this page was applied outside publish (an accepted hand-over): install its keys. */
  adopted(): void;
  /** Tell the host why its last change did not happen. */
  report(problem: string, reason: string): void;
  /** This page's per-room host key, if it has one: it answers the server's host challenge and signs hand-overs (crypto/host-authority.ts). */
  readonly hostKey: Signer | undefined;
  readonly roomId: string;
}

/** Reasons a hand-over did not happen (Session.problemReason); the view words them. */
export const HAND_OVER_REFUSED = 'hand-over-refused';
export const NO_HOST_KEY = 'no-host-key';

/** This profile's memory of having made a room's epoch 0 (host-credential.ts in the app). */
export interface GenesisRecord {
  createdBefore(): boolean;
  markCreated(): void;
}

const NO_RECORD: GenesisRecord = { createdBefore: () => false, markCreated: () => undefined };
/** The reason a returning host's empty log is refused with (Session.problemReason); the view words it. */
export const LOST_LOG = 'lost-log';

class LostLogError extends Error {
  readonly reason = LOST_LOG;
}

export class HostDesk {
  #knocks: readonly Knock[] = [];
  /** This profile's verified contacts (storage/contacts-store.ts in the app). */
  #contacts: readonly Contact[] = [];
  #view: { readonly knocks: readonly Knock[]; readonly members: readonly MemberView[]; readonly contacts: readonly Contact[]; readonly list: readonly PendingKnock[] } | undefined;
  /** Knocks that did not open or verify: forged, altered, replayed from another seat, or made with another link. */
  #droppedKnocks = 0;

  readonly #room: Publisher;
  #startAs: string | undefined;
  /** Knocks that arrived before this page read the log (a returning host gets them at once). */
  #early: { from: string; payload: string }[] = [];

  readonly #genesis: GenesisRecord;
  readonly #changes: Changes | undefined;
  /** Members' per-room host keys, as the server says each member's connection registered them. */
  readonly #hostKeys = new Map<string, Uint8Array>();
  /** A hand-over sent and not yet answered: its commit is applied only when the server took it. */
  #handOver: { readonly epoch: number; readonly to: string; adopt(): boolean } | undefined;

  constructor(room: Publisher, genesis: GenesisRecord = NO_RECORD, changes?: Changes) {
    this.#room = room;
    this.#genesis = genesis;
    this.#changes = changes;
  }

  /** Verified knocks waiting for the host's answer, each with its code and flags. */
  get knocks(): readonly PendingKnock[] {
    const members = this.#membership.members;
    const v = this.#view;
    if (v !== undefined && v.knocks === this.#knocks && v.members === members && v.contacts === this.#contacts) return v.list;
    const list = this.#knocks.map((k) => ({ id: k.id, name: k.name, admission: k.admission, code: k.code, flags: this.#flags(k) }));
    this.#view = { knocks: this.#knocks, members, contacts: this.#contacts, list };
    return list;
  }

  /** The verified contacts knocks are checked against; the app sets them once read. */
  setContacts(contacts: readonly Contact[]): void {
    this.#contacts = contacts;
    this.#changes?.emit();
  }

  #flags(knock: Knock): KnockFlag[] {
    const key = knock.admission.request.identityPublicKey;
    const flags: KnockFlag[] = [];
    const status = contactStatus({ name: knock.name, identityKey: toBase64Url(key) }, this.#contacts);
    if (status.kind === 'key-changed') flags.push({ kind: 'known-key', name: status.contact.name });
    for (const m of this.#membership.members) {
      if (!equalBytes(m.identityPublicKey, key) && skeletonsMeet(knock.skeletons, nameSkeletons(m.name))) flags.push({ kind: 'like-member', name: m.name });
    }
    for (const k of this.#knocks) {
      if (k.id !== knock.id && !equalBytes(k.admission.request.identityPublicKey, key) && skeletonsMeet(knock.skeletons, k.skeletons)) flags.push({ kind: 'like-knock', name: k.name });
    }
    return flags;
  }

  get droppedKnocks(): number {
    return this.#droppedKnocks;
  }

  /** The latest dropped knocks and why, newest last (at most MAX_LOBBY). */
  readonly droppedLog: { readonly from: string; readonly reason: string }[] = [];

  #setKnocks(knocks: readonly Knock[]): void {
    this.#knocks = knocks;
    this.#changes?.emit();
  }

  get #membership(): Membership {
    return this.#room.membership;
  }

  /** Host: make epoch 0 as `name`, once the log has been read and shown to be empty. */
  start(name: string): Promise<boolean> {
    this.#startAs = name;
    return this.create();
  }

  /** After each log read: make epoch 0 if the host asked to start and the room has no chain yet. */
  create(): Promise<boolean> {
    const ready = () => {
      const m = this.#membership;
      const name = this.#startAs;
      const participantId = this.#room.participantId;
      return name === undefined || !m.synced || m.state.kind !== 'lobby' || participantId === undefined ? undefined : { m, name, participantId };
    };
    if (ready() === undefined) return Promise.resolve(false);
    return this.#room.publish(async () => {
      const now = ready(); // queued behind another operation: look again
      if (now === undefined) return null;
      // A lobby record means the room was created: the host finding no commit it can open means the log is gone.
      if (now.m.hostKnown || this.#genesis.createdBefore()) throw new LostLogError("the server shows no history for a room this browser already opened: it lost or hides the room's log");
      const commit = await now.m.create(now.participantId, now.name);
      this.#genesis.markCreated();
      return commit;
    });
  }

  admit(ids: readonly string[]): Promise<boolean> {
    const chosen = this.#knocks.filter((k) => ids.includes(k.id)).slice(0, MAX_LOBBY);
    if (chosen.length === 0 || !this.#membership.isHost) return Promise.resolve(false);
    // Someone already a member knocking again (a new tab, a lost session) replaces the old seat.
    // The queue makes the admit on the state the removal left.
    const stale = this.#membership.members.filter((m) => !m.isSelf && chosen.some((k) => equalBytes(k.admission.request.identityPublicKey, m.identityPublicKey)));
    if (stale.length > 0) void this.#room.publish(() => this.#membership.remove(stale.map((m) => m.index)), undefined, { type: 'remove', participants: stale.map((m) => m.participantId) });
    return this.#room.publish(() => this.#membership.admit(chosen.map((k) => k.admission)), { type: 'admit', participants: chosen.map((k) => k.id) }).then((sent) => {
      if (!sent) return false;
      trace('admit-sent', chosen.map((k) => k.id).join(','));
      this.#setKnocks(this.#knocks.filter((k) => !chosen.some((c) => c.id === k.id)));
      return true;
    });
  }

  /** Admit every waiting knock that carries no flag; a flagged one needs its own admit. */
  admitUnflagged(): Promise<boolean> {
    return this.admit(this.knocks.filter((k) => k.flags.length === 0).map((k) => k.id));
  }

  deny(ids: readonly string[]): void {
    const chosen = this.#knocks.filter((k) => ids.includes(k.id));
    if (chosen.length === 0 || !this.#room.send({ type: 'deny', participants: chosen.map((k) => k.id) })) return;
    this.#setKnocks(this.#knocks.filter((k) => !chosen.some((c) => c.id === k.id)));
  }

  remove(participantIds: readonly string[]): Promise<boolean> {
    const targets = this.#membership.members.filter((m) => !m.isSelf && participantIds.includes(m.participantId));
    if (targets.length === 0 || !this.#membership.isHost) return Promise.resolve(false);
    trace('remove-sent', targets.map((m) => m.participantId).join(','));
    // The commit first: the member reads its own signed removal before the server closes it (4403).
    return this.#room.publish(() => this.#membership.remove(targets.map((m) => m.index)), undefined, { type: 'remove', participants: targets.map((m) => m.participantId) });
  }

  /** Host: lock or unlock (a signed commit; the server's flag follows, so knocks are refused). */
  setLocked(locked: boolean): Promise<boolean> {
    if (!this.#membership.isHost) return Promise.resolve(false);
    // Queued behind another change: nothing to do if the chain already says so.
    return this.#room.publish(async () => (this.#membership.locked === locked ? null : this.#membership.setLocked(locked)), undefined, { type: 'lock', locked });
  }

  /** Host: end the room for everyone. The end commit goes first, so members learn it from the host. */
  end(): Promise<boolean> {
    if (!this.#membership.isHost) return Promise.resolve(false);
    return this.#room.publish(() => this.#membership.end(), undefined, { type: 'end' });
  }

  /** A hand-over is waiting for the server's answer: no other change is made meanwhile. */
  get handingOver(): boolean {
    return this.#handOver !== undefined;
  }

  /** Host: refuse everyone waiting in the lobby, knocked or not (idle sockets holding places too). */
  clearLobby(): void {
    if (!this.#membership.isHost || !this.#room.send({ type: 'clear-lobby' })) return;
    this.#setKnocks([]);
  }

  /** The server's list of members' registered host keys (a hand-over names one). */
  hostKeys(keys: readonly { participant: string; publicKey: string }[]): void {
    for (const k of keys) this.#hostKeys.set(k.participant, fromBase64Url(k.publicKey));
  }

  /**
   * Host: hand the host role to a connected member ([H2]). The commit goes with the outgoing host
   * key's signature naming the member's registered host key; the server stores it and moves the
   * role in one step, or refuses both. This page applies the commit only on `handed-over`.
   */
  transfer(participantId: string): Promise<void> {
    return this.#room.serialize(() => this.#transferNow(participantId));
  }

  async #transferNow(participantId: string): Promise<void> {
    const target = this.#membership.members.find((m) => m.participantId === participantId && !m.isSelf);
    const signer = this.#room.hostKey;
    if (!target || !this.#membership.isHost || this.#handOver !== undefined) return;
    const key = this.#hostKeys.get(participantId);
    if (signer === undefined || key === undefined) return this.#room.report(`${target.name}'s page has not registered a host key yet`, NO_HOST_KEY);
    let prepared;
    try {
      prepared = await this.#membership.prepareTransfer(target.index);
    } catch (error) {
      return this.#room.report(error instanceof Error ? error.message : 'the hand-over could not be made', error instanceof SealroomCryptoError ? error.reason : 'malformed');
    }
    const pending = { epoch: prepared.message.epoch, to: participantId, adopt: prepared.adopt };
    this.#handOver = pending;
    this.#changes?.emit();
    const statement = handOverMessage(roomIdBytes(this.#room.roomId), pending.epoch, participantIdBytes(participantId), key);
    let signature: Uint8Array;
    try {
      signature = await signer.sign(statement);
    } catch {
      return this.#dropHandOver('this browser could not sign with its host key');
    }
    if (this.#handOver !== pending) return;
    const sent = this.#room.send({ ...prepared.message, handOver: { to: participantId, hostKey: toBase64Url(key), signature: toBase64Url(signature) } });
    if (!sent) this.#dropHandOver('the connection to the server is down');
  }

  /** The server stored the hand-over of `epoch` and moved the role: apply the commit now. */
  handedOver(epoch: number): void {
    const pending = this.#handOver;
    if (pending === undefined || pending.epoch !== epoch) return;
    this.#handOver = undefined;
    if (pending.adopt()) this.#room.adopted();
    this.#changes?.emit();
  }

  /** The server refused the hand-over and stored nothing: this page stays the host, as it was. */
  handOverRefused(message: string): void {
    if (this.#handOver !== undefined) this.#dropHandOver(message);
  }

  #dropHandOver(why: string): void {
    this.#handOver = undefined;
    this.#room.report(`the host role was not handed over: ${why}`, HAND_OVER_REFUSED);
  }

  /** A knock relayed by the server (from the connection `from`). */
  knocked(from: string, payload: string): void {
    if (!this.#membership.synced) {
      this.#early = [...this.#early.filter((k) => k.from !== from), { from, payload }].slice(-MAX_LOBBY);
      return;
    }
    if (!this.#membership.isHost) return;
    let request;
    try {
      request = this.#membership.openKnock(from, payload);
    } catch (error) {
      this.#droppedKnocks++;
      this.droppedLog.push({ from, reason: error instanceof SealroomCryptoError ? error.reason : 'malformed' });
      if (this.droppedLog.length > MAX_LOBBY) this.droppedLog.shift();
      this.#changes?.emit();
      console.warn(`room: dropped a knock from ${from}: ${error instanceof Error ? error.message : 'invalid'}`);
      return;
    }
    trace('knock-received', from);
    const others = this.#knocks.filter((k) => k.id !== from);
    const code = this.#membership.knockCodeOf(request);
    this.#setKnocks([...others, { id: from, name: request.displayName, admission: { participantId: from, request }, code, skeletons: nameSkeletons(request.displayName) }]);
  }

  /** The log has been read: answer the knocks that came before it. */
  flushEarly(): void {
    for (const { from, payload } of this.#early.splice(0)) this.knocked(from, payload);
  }

  /** The server says these members are gone for good: commit a leave for each one still listed. */
  left(participantIds: readonly string[]): void {
    if (!this.#membership.isHost) return;
    for (const id of participantIds) {
      const member = this.#membership.members.find((m) => m.participantId === id && !m.isSelf);
      if (member) void this.#room.publish(async () => (this.#membership.members.some((m) => m.participantId === id) ? this.#membership.leave(member.index) : null));
    }
  }
}
