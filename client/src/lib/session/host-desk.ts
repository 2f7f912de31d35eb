// The host's desk: the knocks waiting for an answer, and every membership change the host makes.
// Each change is a signed commit (crypto/host.ts via Membership) sent together with the server
// message that enforces what the server can (`admit`/`remove` before it: seats and tokens; `lock`,
// `end`, `transfer-host` after it). Knocks are opened and checked here; one that does not verify is
// counted and dropped. Knocks that reach a returning host before its page has read the log are
// kept until it has.
import { equalBytes } from '../../../../crypto/index';
import { SealroomCryptoError } from '../../../../crypto/index';
import { type Admission } from '../../../../crypto/index';
import { MAX_LOBBY } from '../../../../protocol/protocol';
import { trace } from '../e2ee/trace';
import { type Outgoing } from './channel';
import { type Changes } from './changes';
import { type CommitMessage, type Membership } from './membership';

export interface PendingKnock {
  readonly id: string;
  /** The name inside the verified join request. */
  readonly name: string;
  readonly admission: Admission;
}

/** What the desk needs from the SecureRoom: the membership, and a way to publish a commit. */
export interface Publisher {
  readonly membership: Membership;
  /** This page's participant id, once welcomed. */
  readonly participantId: string | undefined;
  publish(make: () => CommitMessage, before?: Outgoing, after?: Outgoing): boolean;
  send(message: Outgoing): boolean;
}

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
  #knocks: readonly PendingKnock[] = [];
  /** Knocks that did not open or verify: forged, altered, replayed from another seat, or made with another link. */
  #droppedKnocks = 0;

  readonly #room: Publisher;
  #startAs: string | undefined;
  /** Knocks that arrived before this page read the log (a returning host gets them at once). */
  #early: { from: string; payload: string }[] = [];

  readonly #genesis: GenesisRecord;
  readonly #changes: Changes | undefined;

  constructor(room: Publisher, genesis: GenesisRecord = NO_RECORD, changes?: Changes) {
    this.#room = room;
    this.#genesis = genesis;
    this.#changes = changes;
  }

  /** Verified knocks waiting for the host's answer. */
  get knocks(): readonly PendingKnock[] {
    return this.#knocks;
  }

  get droppedKnocks(): number {
    return this.#droppedKnocks;
  }

  /** The latest dropped knocks and why, newest last (at most MAX_LOBBY). */
  readonly droppedLog: { readonly from: string; readonly reason: string }[] = [];

  #setKnocks(knocks: readonly PendingKnock[]): void {
    this.#knocks = knocks;
    this.#changes?.emit();
  }

  get #membership(): Membership {
    return this.#room.membership;
  }

  /** Host: make epoch 0 as `name`, once the log has been read and shown to be empty. */
  start(name: string): void {
    this.#startAs = name;
    this.create();
  }

  /** After each log read: make epoch 0 if the host asked to start and the room has no chain yet. */
  create(): void {
    const name = this.#startAs;
    const m = this.#membership;
    const participantId = this.#room.participantId;
    if (name === undefined || !m.synced || m.state.kind !== 'lobby' || participantId === undefined) return;
    this.#room.publish(() => {
      // A lobby record means the room was created: the host finding no commit it can open means the log is gone.
      if (m.hostKnown || this.#genesis.createdBefore()) throw new LostLogError("the server shows no history for a room this browser already opened: it lost or hides the room's log");
      const commit = m.create(participantId, name);
      this.#genesis.markCreated();
      return commit;
    });
  }

  admit(ids: readonly string[]): void {
    const chosen = this.knocks.filter((k) => ids.includes(k.id)).slice(0, MAX_LOBBY);
    if (chosen.length === 0 || !this.#membership.isHost) return;
    // Someone already a member knocking again (a new tab, a lost session) replaces the old seat.
    const stale = this.#membership.members.filter((m) => !m.isSelf && chosen.some((k) => equalBytes(k.admission.request.identityPublicKey, m.identityPublicKey)));
    if (stale.length > 0) this.#room.publish(() => this.#membership.remove(stale.map((m) => m.index)), { type: 'remove', participants: stale.map((m) => m.participantId) });
    if (!this.#room.publish(() => this.#membership.admit(chosen.map((k) => k.admission)), { type: 'admit', participants: chosen.map((k) => k.id) })) return;
    trace('admit-sent', chosen.map((k) => k.id).join(','));
    this.#setKnocks(this.knocks.filter((k) => !chosen.includes(k)));
  }

  deny(ids: readonly string[]): void {
    const chosen = this.knocks.filter((k) => ids.includes(k.id));
    if (chosen.length === 0 || !this.#room.send({ type: 'deny', participants: chosen.map((k) => k.id) })) return;
    this.#setKnocks(this.knocks.filter((k) => !chosen.includes(k)));
  }

  remove(participantIds: readonly string[]): void {
    const targets = this.#membership.members.filter((m) => !m.isSelf && participantIds.includes(m.participantId));
    if (targets.length === 0 || !this.#membership.isHost) return;
    trace('remove-sent', targets.map((m) => m.participantId).join(','));
    this.#room.publish(() => this.#membership.remove(targets.map((m) => m.index)), { type: 'remove', participants: targets.map((m) => m.participantId) });
  }

  /** Host: lock or unlock (a signed commit; the server's flag follows, so knocks are refused). */
  setLocked(locked: boolean): void {
    if (!this.#membership.isHost || this.#membership.locked === locked) return;
    this.#room.publish(() => this.#membership.setLocked(locked), undefined, { type: 'lock', locked });
  }

  /** Host: end the room for everyone. The end commit goes first, so members learn it from the host. */
  end(): void {
    if (!this.#membership.isHost) return;
    this.#room.publish(() => this.#membership.end(), undefined, { type: 'end' });
  }

  /** Host: hand the host role to a member who is connected (the server checks that). */
  transfer(participantId: string): void {
    const target = this.#membership.members.find((m) => m.participantId === participantId && !m.isSelf);
    if (!target || !this.#membership.isHost) return;
    this.#room.publish(() => this.#membership.transfer(target.index), undefined, { type: 'transfer-host', to: participantId });
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
    const others = this.knocks.filter((k) => k.id !== from);
    this.#setKnocks([...others, { id: from, name: request.displayName, admission: { participantId: from, request } }]);
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
      if (member) this.#room.publish(() => this.#membership.leave(member.index));
    }
  }
}
