// The member state machine: a tagged union of states and a pure, synchronous
// transition(state, event) -> { state, effects, error? } that never throws.
//
//   lobby --(commit/log that admits this member, with its envelope)--> member
//   lobby --(end)--> ended        member --(commit: remove/leave dropping it)--> removed
//   member --(commit/log)--> member (next epoch)      member --(end)--> ended
//
// On any error the state is returned unchanged and the error says why (typed, with a reason).
// Every commit is checked by chain.ts; the epoch secret comes from the member's own envelope,
// checked against the signed commitment (epoch.ts), and it is also what opens the commit
// (commit.ts); without an envelope, a member of the epoch before opens the commit's handoff.
// A `log` (a sync answer) is applied all-or-nothing: entries already held are skipped, and so are
// entries this party cannot open (from before it was admitted); envelopes may be missing on all
// but the entry that ends the log; and a log may start past the head held (the server keeps only
// the newest commits), which the chain accepts as a snapshot against the lobby record's
// hand-overs. A `lobby` event carries the lobby record (lobby.ts): the host's key to knock to,
// and the hand-overs every snapshot is checked against.
// The previous epoch's secret is kept so frames still in flight decrypt; when to forget it
// (the grace period) is the caller's decision.
import { type ChainHead, type ChainStep, type SelfRef, verifyNext } from './chain';
import { type CommitMember, type SignedCommit, commitKeyFromHandoff, unwrapCommit, wrappedCommitEpoch } from './commit';
import { CodecError, EpochError, MembershipError, Reason, ReplayError, SealroomCryptoError, VerificationError } from './errors';
import { type RoomKeyPair } from './identity';
import { type Signer } from './signer';
import { type LinkFragment, deriveLinkKeys } from './link';
import { checkCommittedSecret, commitKey, epochBaseKeys, openEnvelope } from './epoch';
import { type LobbyRecord, openLobbyRecord } from './lobby';

/** What a client knows about the room from its link. */
export interface RoomContext {
  readonly roomId: Uint8Array;
  readonly hostFingerprint: Uint8Array;
  readonly joinMacKey: Uint8Array;
  readonly lobbyKey: Uint8Array;
}

export interface SelfKeys {
  /** Signs as this member's identity; its private key may be out of reach (signer.ts). */
  readonly identity: Signer;
  readonly roomKey: RoomKeyPair;
}

export interface PreviousEpoch {
  readonly epoch: number;
  readonly epochSecret: Uint8Array;
}

interface Base {
  readonly room: RoomContext;
  readonly self: SelfKeys;
  /** The newest verified lobby record (null before one arrived). */
  readonly lobby: LobbyRecord | null;
}

/** Waiting to be admitted. `head` is the verified chain so far (null before any commit). */
export interface LobbyState extends Base {
  readonly kind: 'lobby';
  readonly head: ChainHead | null;
}

/** Admitted: the chain head fields (epoch, commitHash, members, hostIndex, locked...) plus own secrets. */
export interface InRoomState extends Base, ChainHead {
  readonly kind: 'member';
  readonly ownIndex: number;
  readonly epochSecret: Uint8Array;
  readonly previous: PreviousEpoch | null;
}

export interface RemovedState extends Base {
  readonly kind: 'removed';
  readonly head: ChainHead;
}

export interface EndedState extends Base {
  readonly kind: 'ended';
  readonly head: ChainHead;
}

export type MemberState = LobbyState | InRoomState | RemovedState | EndedState;

export interface IncomingCommit {
  readonly wrapped: Uint8Array;
  readonly envelope?: Uint8Array;
}

export type MemberEvent =
  | ({ readonly type: 'commit' } & IncomingCommit)
  | { readonly type: 'log'; readonly commits: readonly IncomingCommit[] }
  | { readonly type: 'lobby'; readonly wrapped: Uint8Array };

export type MemberEffect =
  | { readonly type: 'admitted'; readonly ownIndex: number }
  | { readonly type: 'epoch'; readonly epoch: number; readonly commitHash: Uint8Array }
  | { readonly type: 'members'; readonly added: readonly CommitMember[]; readonly removed: readonly CommitMember[] }
  | { readonly type: 'host'; readonly hostIndex: number }
  | { readonly type: 'locked'; readonly locked: boolean }
  | { readonly type: 'removed' }
  | { readonly type: 'ended' };

export interface TransitionResult {
  readonly state: MemberState;
  readonly effects: readonly MemberEffect[];
  readonly error?: SealroomCryptoError;
}

export function roomContext(roomId: Uint8Array, fragment: LinkFragment): RoomContext {
  const keys = deriveLinkKeys(fragment.linkSecret, roomId);
  return { roomId, hostFingerprint: fragment.hostFingerprint, joinMacKey: keys.joinMacKey, lobbyKey: keys.lobbyKey };
}

export function lobby(room: RoomContext, self: SelfKeys, record: LobbyRecord | null = null): LobbyState {
  return { kind: 'lobby', room, self, lobby: record, head: null };
}

export function transition(state: MemberState, event: MemberEvent): TransitionResult {
  try {
    if (event.type === 'lobby') return { state: { ...state, lobby: openLobbyRecord(state.room, event.wrapped, state.lobby ?? undefined) }, effects: [] };
    const entries = event.type === 'commit' ? [event] : event.commits;
    let work = start(state);
    const effects: MemberEffect[] = [];
    for (const entry of entries) {
      const next = advance(work, entry, event.type === 'log');
      work = next.work;
      effects.push(...next.effects);
    }
    return { state: finish(work), effects };
  } catch (caught) {
    return { state, effects: [], error: asTyped(caught) };
  }
}

// --- internals: a working copy that may briefly lack an epoch secret while a log is applied

interface Work {
  readonly base: Base;
  readonly kind: MemberState['kind'];
  readonly head: ChainHead | null;
  readonly ownIndex: number | null;
  readonly secret: Uint8Array | null;
  readonly previous: PreviousEpoch | null;
}

function start(state: MemberState): Work {
  const base = { room: state.room, self: state.self, lobby: state.lobby };
  if (state.kind === 'member') {
    return { base, kind: 'member', head: state, ownIndex: state.ownIndex, secret: state.epochSecret, previous: state.previous };
  }
  return { base, kind: state.kind, head: state.head, ownIndex: null, secret: null, previous: null };
}

function advance(work: Work, entry: IncomingCommit, inLog: boolean): { work: Work; effects: MemberEffect[] } {
  if (work.kind === 'removed') throw new MembershipError(Reason.notMember, 'this member was removed from the room');
  if (work.kind === 'ended') throw new EpochError(Reason.roomEnded, 'the room has ended');
  const { room, self } = work.base;
  const opened = openCommit(work, entry, inLog);
  if (opened === null) return { work, effects: [] };
  const { signed, secret: entrySecret } = opened;
  const selfRef: SelfRef = { identityPublicKey: self.identity.publicKey, roomPublicKey: self.roomKey.publicKey, index: work.ownIndex };
  let step: ChainStep;
  try {
    step = verifyNext(room, work.head, signed, selfRef, work.base.lobby?.handovers ?? null, inLog);
  } catch (caught) {
    // A sync answer may repeat commits this member already holds; in a log they are skipped.
    if (inLog && caught instanceof ReplayError) return { work, effects: [] };
    if (inLog && caught instanceof EpochError && caught.reason === Reason.outOfOrder && work.head !== null && signed.body.epoch <= work.head.epoch) return { work, effects: [] };
    throw caught;
  }
  const head = step.head;
  switch (step.self) {
    case 'absent':
      return { work: { ...work, head }, effects: [] };
    case 'removed':
      return { work: { ...work, kind: 'removed', head, ownIndex: null, secret: null, previous: null }, effects: [{ type: 'removed' }] };
    case 'ended':
      return { work: { ...work, kind: 'ended', head, ownIndex: null, secret: null, previous: null }, effects: [{ type: 'ended' }] };
    case 'admitted':
    case 'present': {
      const ownIndex = step.ownIndex as number;
      const secret = readSecret(entrySecret, head, inLog);
      const previous = work.secret !== null && work.head !== null ? { epoch: work.head.epoch, epochSecret: work.secret } : null;
      const effects: MemberEffect[] = [];
      if (step.self === 'admitted') effects.push({ type: 'admitted', ownIndex });
      effects.push({ type: 'epoch', epoch: head.epoch, commitHash: head.commitHash });
      if (step.self === 'present' && (step.added.length > 0 || step.removed.length > 0)) {
        effects.push({ type: 'members', added: step.added, removed: step.removed });
      }
      if (work.head !== null && work.head.hostIndex !== head.hostIndex) effects.push({ type: 'host', hostIndex: head.hostIndex });
      if (work.head !== null && work.head.locked !== head.locked) effects.push({ type: 'locked', locked: head.locked });
      return { work: { ...work, kind: 'member', head, ownIndex, secret, previous }, effects };
    }
  }
}

/**
 * The signed commit of an entry, opened with this party's envelope or, lacking one, through the
 * handoff with the secret of the epoch before. In a log, an entry that neither opens is skipped
 * (null): the server keeps older commits that this party was never given a key to.
 */
function openCommit(work: Work, entry: IncomingCommit, inLog: boolean): { signed: SignedCommit; secret: Uint8Array | null } | null {
  const { room, self } = work.base;
  const epoch = wrappedCommitEpoch(entry.wrapped);
  if (entry.envelope !== undefined) {
    const secret = openEnvelope(self.roomKey, epoch, entry.envelope);
    return { signed: unwrapCommit(commitKey(secret, room.roomId, epoch), room.roomId, entry.wrapped), secret };
  }
  if (work.secret !== null && work.head !== null && epoch === work.head.epoch + 1) {
    return { signed: unwrapCommit(commitKeyFromHandoff(work.secret, room.roomId, entry.wrapped), room.roomId, entry.wrapped), secret: null };
  }
  if (inLog) return null;
  throw new VerificationError(Reason.missingEnvelope, `no envelope came with the commit for epoch ${epoch}`);
}

function readSecret(secret: Uint8Array | null, head: ChainHead, inLog: boolean): Uint8Array | null {
  if (secret === null) {
    if (inLog) return null;
    throw new VerificationError(Reason.missingEnvelope, `no envelope came with the commit for epoch ${head.epoch}`);
  }
  checkCommittedSecret(secret, head.roomId, head.epoch, head.secretCommitment);
  return secret;
}

function finish(work: Work): MemberState {
  const { room, self, lobby } = work.base;
  switch (work.kind) {
    case 'lobby':
      return { kind: 'lobby', room, self, lobby, head: work.head };
    case 'member': {
      const head = work.head as ChainHead;
      if (work.secret === null) throw new VerificationError(Reason.missingEnvelope, `no envelope for epoch ${head.epoch}, the last one in the log`);
      return { ...headFields(head), kind: 'member', room, self, lobby, ownIndex: work.ownIndex as number, epochSecret: work.secret, previous: work.previous };
    }
    case 'removed':
    case 'ended':
      return { kind: work.kind, room, self, lobby, head: work.head as ChainHead };
  }
}

/** Only the ChainHead fields of a head (an InRoomState is itself a ChainHead with more fields). */
function headFields(head: ChainHead): ChainHead {
  const { roomId, epoch, commitHash, action, members, hostIndex, locked, ended, secretCommitment, history } = head;
  return { roomId, epoch, commitHash, action, members, hostIndex, locked, ended, secretCommitment, history };
}

function asTyped(caught: unknown): SealroomCryptoError {
  if (caught instanceof SealroomCryptoError) return caught;
  return new CodecError(Reason.malformed, `unexpected failure while reading a commit: ${caught instanceof Error ? caught.name : 'unknown'}`);
}

// --- read-only helpers for callers

/** The verified chain head of any state (null in a lobby before the first commit). */
export function chainHead(state: MemberState): ChainHead | null {
  return state.kind === 'member' ? headFields(state) : state.head;
}

/** The room key a lobby guest seals its join request to: the current host's, from the verified lobby record. */
export function hostRoomKey(state: MemberState): Uint8Array | null {
  return state.lobby?.hostRoomPublicKey ?? null;
}

export function isHost(state: MemberState): state is InRoomState {
  return state.kind === 'member' && state.ownIndex === state.hostIndex;
}

/** KID -> SFrame base key for every member of the current epoch. */
export function currentBaseKeys(state: InRoomState): Map<bigint, Uint8Array> {
  return epochBaseKeys(state.epochSecret, state.roomId, state.epoch, state.members.map((m) => m.index));
}
