// This page's view of the room's membership: the verified commit chain (crypto/member.ts), the
// member list with names from signed commits, the epoch, its call security code, and the media
// keys each epoch yields. Hosts also make commits here (crypto/host.ts). No I/O: the controller
// sends what these methods return and feeds in what the server relays.
//
// Counter safety across reloads and tabs does not depend on the log: each page life sends in its
// own SFrame counter space (`life`, claimed from storage with the room key; crypto/epoch.ts), so a
// page may send under any epoch it holds, however the server split, delayed or replayed the log.
import { AppMessageReplay, type AppEpoch, type AppMessage, type AppMessageType, appMessageEpoch, openAppMessage, sealAppMessage } from '../../../../crypto/index';
import { equalBytes, fromBase64Url, toBase64Url } from '../../../../crypto/index';
import { participantIdBytes, participantIdText } from '../../../../crypto/index';
import { appMessageKey, kidFor, sframeBaseKey } from '../../../../crypto/index';
import { host } from '../../../../crypto/index';
import { createJoinRequest, type JoinRequest, openJoinRequest } from '../../../../crypto/index';
import {
  chainHead,
  hostRoomKey,
  isHost,
  lobby,
  transition,
  type IncomingCommit,
  type MemberEffect,
  type MemberState,
  type RoomContext,
  type SelfKeys,
} from '../../../../crypto/index';
import { checkConfirmation, makeConfirmation } from '../../../../crypto/index';
import { EpochError } from '../../../../crypto/index';
import { callCode, type CallCode, knockCode } from '../../../../crypto/index';
import { type ClientMessage } from '../../../../protocol/protocol';
import { type Changes } from './changes';
import { type EpochKeys } from './media-sink';

export interface MemberView {
  readonly index: number;
  readonly participantId: string;
  readonly name: string;
  readonly identityPublicKey: Uint8Array;
  readonly isHost: boolean;
  readonly isSelf: boolean;
}

export interface WireCommit {
  readonly epoch: number;
  readonly commit: string;
  readonly envelope?: string | undefined;
}

/** A `commit` message, ready for SignalingClient.send. */
export type CommitMessage = Omit<Extract<ClientMessage, { type: 'commit' }>, 'v'>;

/** A signed commit of this host, not applied yet: `adopt()` applies it, false if the state moved on since it was made. */
export interface PreparedCommit {
  readonly message: CommitMessage;
  adopt(): boolean;
}

export interface Applied {
  readonly effects: readonly MemberEffect[];
  /** Set when the commit (or log) was refused; the state is unchanged. */
  readonly refused?: string;
}

/** What the member list and code are, computed once per state. */
interface Derived {
  readonly of: MemberState;
  readonly members: readonly MemberView[];
  readonly code: CallCode | undefined;
}

/** Epochs kept for opening app messages: the current and the previous one. */
const KEPT_EPOCHS = 2;

export class Membership {
  /** Commits refused so far, with the last reason, for the security panel. */
  refusals = 0;
  lastRefusal: string | undefined;
  #state: MemberState;
  #derived: Derived | undefined;

  get state(): MemberState {
    return this.#state;
  }

  /** The member list of the chain's head, names from the signed commits. */
  get members(): readonly MemberView[] {
    return this.#derive().members;
  }

  get epoch(): number | null {
    return this.#state.kind === 'member' ? this.#state.epoch : null;
  }

  get code(): CallCode | undefined {
    return this.#derive().code;
  }

  get isHost(): boolean {
    return isHost(this.#state);
  }

  /** A verified lobby record names the host's room key, so a guest can seal its join request to it. */
  get hostKnown(): boolean {
    return hostRoomKey(this.#state) !== null;
  }

  /** The lock flag of the signed chain (what the host's commits say, not what the server says). */
  get locked(): boolean {
    return chainHead(this.#state)?.locked ?? false;
  }

  readonly #room: RoomContext;
  readonly #self: SelfKeys;
  readonly #changes: Changes | undefined;
  readonly #replay = new AppMessageReplay();
  readonly #appEpochs = new Map<number, AppEpoch>();
  /** This page life's SFrame counter space, or null when none could be claimed (then it never sends). */
  readonly #life: number | null;
  #readFirstLog = false;
  #seq = 0n;

  constructor(room: RoomContext, self: SelfKeys, life: number | null, changes?: Changes) {
    this.#room = room;
    this.#self = self;
    this.#life = life;
    this.#changes = changes;
    this.#state = lobby(room, self);
  }

  /** Members and code are recomputed only when the state object changes. */
  #derive(): Derived {
    const s = this.#state;
    if (this.#derived?.of === s) return this.#derived;
    const head = chainHead(s);
    const own = s.kind === 'member' ? s.ownIndex : -1;
    const members =
      head === null
        ? []
        : head.members.map((m) => ({
            index: m.index,
            participantId: participantIdText(m.participantId),
            name: m.displayName,
            identityPublicKey: m.identityPublicKey,
            isHost: m.index === head.hostIndex,
            isSelf: m.index === own,
          }));
    this.#derived = { of: s, members, code: s.kind === 'member' ? callCode(s.commitHash) : undefined };
    return this.#derived;
  }

  #setState(state: MemberState): void {
    this.#state = state;
    this.#rememberEpoch();
    this.#changes?.emit();
  }

  // --- reading commits

  apply(commit: WireCommit): Applied {
    return this.#run({ type: 'commit', ...decode(commit) });
  }

  /** The room's sealed lobby record (who the host is now), from a `sync` answer or a `lobby` push. */
  applyLobby(record: string): Applied {
    return this.#run({ type: 'lobby', wrapped: fromBase64Url(record) });
  }

  /** One part of a `sync` answer; `complete` on its last part. */
  applyLog(commits: readonly WireCommit[], complete: boolean): Applied {
    if (complete) this.#readFirstLog = true;
    return commits.length === 0 ? { effects: [] } : this.#run({ type: 'log', commits: commits.map(decode) });
  }

  /** The media keys of the current epoch, each with the participant its KID belongs to, or null outside the room. */
  epochKeys(): EpochKeys | null {
    const s = this.state;
    if (s.kind !== 'member') return null;
    const keys = new Map(
      s.members.map((m) => [kidFor(s.epoch, m.index), { baseKey: sframeBaseKey(s.epochSecret, s.roomId, s.epoch, m.index), owner: participantIdText(m.participantId) }] as const),
    );
    return { epoch: s.epoch, keys, send: this.#life === null ? null : { kid: kidFor(s.epoch, s.ownIndex), life: this.#life } };
  }

  /** This page has read the room's whole log at least once. */
  get synced(): boolean {
    return this.#readFirstLog;
  }

  // --- joining (guest)

  /** The sealed join request of this connection, or null while the host's key is not known yet. */
  async joinRequest(participantId: string, displayName: string): Promise<string | null> {
    const hostKey = hostRoomKey(this.state);
    if (hostKey === null) return null;
    return toBase64Url(
      await createJoinRequest({
        identity: this.#self.identity,
        roomKey: this.#self.roomKey,
        roomId: this.#room.roomId,
        participantId: participantIdBytes(participantId),
        hostRoomPublicKey: hostKey,
        displayName,
        joinMacKey: this.#room.joinMacKey,
      }),
    );
  }

  /** The knock code of this page's own keys (crypto/knock-code.ts), shown in its lobby. */
  get ownKnockCode(): string {
    return knockCode(this.#room.roomId, this.#self.identity.publicKey, this.#self.roomKey.publicKey);
  }

  /** The knock code of a verified join request, shown in the host's knock list. */
  knockCodeOf(request: JoinRequest): string {
    return knockCode(this.#room.roomId, request.identityPublicKey, request.roomPublicKey);
  }

  // --- host operations: each signs a commit on the current state and returns it, not applied yet

  /** Host: open a knock that came from `from`. Throws a typed error for one that does not open or verify. */
  openKnock(from: string, payload: string): JoinRequest {
    return openJoinRequest(this.#self.roomKey, this.#room.joinMacKey, this.#room.roomId, fromBase64Url(payload), participantIdBytes(from));
  }

  create(participantId: string, displayName: string): Promise<PreparedCommit> {
    return this.#prepare(() => host.createRoom({ room: this.#room, self: this.#self, participantId, displayName }));
  }

  admit(admissions: readonly host.Admission[]): Promise<PreparedCommit> {
    return this.#prepare((s) => host.admit(s, admissions));
  }

  remove(indexes: readonly number[]): Promise<PreparedCommit> {
    return this.#prepare((s) => host.remove(s, indexes));
  }

  leave(index: number): Promise<PreparedCommit> {
    return this.#prepare((s) => host.leave(s, index));
  }

  rekey(): Promise<PreparedCommit> {
    return this.#prepare((s) => host.rekey(s));
  }

  setLocked(locked: boolean): Promise<PreparedCommit> {
    return this.#prepare((s) => host.setLocked(s, locked));
  }

  end(): Promise<PreparedCommit> {
    return this.#prepare((s) => host.end(s));
  }

  /**
   * Host: the commit handing the role to member `toIndex`. The server stores it and moves the host
   * role in one step, or refuses both; `adopt()` applies it once the server took it, and dropping it
   * leaves this page as it was.
   */
  prepareTransfer(toIndex: number): Promise<PreparedCommit> {
    return this.#prepare((s) => host.transfer(s, toIndex));
  }

  // --- epoch confirmations ([F1]): who holds the same commit for this epoch

  /** This member's confirmation of its current epoch, or null outside the room. */
  confirmation(): Uint8Array | null {
    const s = this.state;
    return s.kind === 'member' ? makeConfirmation(s, s.ownIndex) : null;
  }

  /**
   * A member's confirmation, from an opened `epochConfirm` message: 'agree' when it holds this
   * page's commit for the epoch, 'fork' when it holds another, 'other-epoch' when it is not ours.
   */
  checkConfirmation(body: Uint8Array): 'agree' | 'fork' | 'other-epoch' {
    const s = this.state;
    if (s.kind !== 'member') return 'other-epoch';
    try {
      checkConfirmation(s, body);
      return 'agree';
    } catch (error) {
      if (error instanceof EpochError && error.reason === 'fork') return 'fork';
      return 'other-epoch';
    }
  }

  // --- in-call messages

  /** Sealed under the current epoch, with the next seq (taken before signing, so calls made in order get rising seqs). */
  async seal(type: AppMessageType, body: Uint8Array): Promise<string | null> {
    const s = this.state;
    if (s.kind !== 'member') return null;
    this.#seq = this.#seq > 0n ? this.#seq + 1n : BigInt(Date.now()) * 1000n;
    const key = this.#appEpoch(s.epoch)?.appKey;
    if (key === undefined) return null;
    return toBase64Url(await sealAppMessage(key, this.#room.roomId, this.#self.identity, { type, epoch: s.epoch, senderIndex: s.ownIndex, seq: this.#seq, body }));
  }

  /** Open a relayed message from a member of the current or previous epoch. Throws a typed error otherwise. */
  open(payload: string): AppMessage & { readonly from: MemberView | undefined } {
    const bytes = fromBase64Url(payload);
    const epoch = appMessageEpoch(bytes);
    const appEpoch = this.#appEpoch(epoch);
    if (appEpoch === undefined) throw new Error(`no key for epoch ${epoch}`);
    const message = openAppMessage(appEpoch, this.#room.roomId, bytes);
    const identity = appEpoch.identityOf(message.senderIndex)!;
    this.#replay.accept(identity, message.seq);
    return { ...message, from: this.members.find((m) => m.index === message.senderIndex && equalBytes(m.identityPublicKey, identity)) };
  }

  // --- internals

  #run(event: Parameters<typeof transition>[1]): Applied {
    const result = transition(this.#state, event);
    if (result.error !== undefined) {
      this.refusals++;
      this.lastRefusal = `${result.error.reason}: ${result.error.message}`;
      this.#changes?.emit();
      return { effects: [], refused: result.error.reason };
    }
    this.#setState(result.state);
    return { effects: result.effects };
  }

  /**
   * Sign `operation`'s commit on the state of now. Signing is asynchronous: the commit is applied
   * only by `adopt()`, which refuses (false) when the state moved on meanwhile, so a commit made on
   * a stale state is never applied. The caller runs one host operation at a time (Session.publish).
   */
  async #prepare(operation: (state: MemberState) => Promise<host.HostResult>): Promise<PreparedCommit> {
    const base = this.#state;
    const result = await operation(base);
    return {
      message: commitMessage(result),
      adopt: () => {
        if (this.#state !== base) return false;
        this.#setState(result.state);
        return true;
      },
    };
  }

  #rememberEpoch(): void {
    const s = this.state;
    if (s.kind !== 'member' || this.#appEpochs.has(s.epoch)) return;
    const identities = new Map<number, Uint8Array>(s.members.map((m) => [m.index, m.identityPublicKey]));
    this.#appEpochs.set(s.epoch, { appKey: appMessageKey(s.epochSecret, s.roomId, s.epoch), identityOf: (index) => identities.get(index) });
    for (const epoch of [...this.#appEpochs.keys()].sort((a, b) => b - a).slice(KEPT_EPOCHS)) this.#appEpochs.delete(epoch);
  }

  #appEpoch(epoch: number): AppEpoch | undefined {
    return this.#appEpochs.get(epoch);
  }
}

function commitMessage(result: host.HostResult): CommitMessage {
  const envelopes: Record<string, string> = {};
  for (const [id, envelope] of result.envelopes) envelopes[id] = toBase64Url(envelope);
  const lobby = result.lobby === undefined ? {} : { lobby: toBase64Url(result.lobby) };
  return { type: 'commit', epoch: result.epoch, commit: toBase64Url(result.wrappedCommit), envelopes, ...lobby };
}

function decode(commit: WireCommit): IncomingCommit {
  const wrapped = fromBase64Url(commit.commit);
  return commit.envelope === undefined ? { wrapped } : { wrapped, envelope: fromBase64Url(commit.envelope) };
}
