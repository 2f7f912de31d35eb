// Host operations: each builds the next signed commit, wraps it for the members of its epoch (and,
// through the handoff, of the one before), seals the new epoch secret to every member listed in
// it (the host included, so a reconnecting host can resync like anyone), and returns the host's
// next state. `create` and `transfer` also return the new lobby record (lobby.ts) to publish.
//
// The host accepts its own commit through the same member transition every member runs
// (member.ts, chain.ts), so it can never publish a commit that honest members would refuse.
// Signing is asynchronous (the identity may be a non-extractable WebCrypto key, signer.ts), so
// each operation returns a promise; the caller must not start the next operation on a state
// before the last one settled, or the two commits would fork (client/src/lib/session/host-queue.ts).
// These are local commands, not handlers of untrusted input: they throw typed errors
// (MembershipError not-host, room-full, not-member, duplicate-member, action-mismatch).
// Indexes are allocated smallest-free-first, 0..63; a room holds at most 50 members.
import {
  type CommitAction,
  type CommitMember,
  ZERO_HASH,
  participantIdBytes,
  participantIdText,
  signCommit,
  wrapCommit,
} from './commit';
import { MAX_MEMBER_INDEX, MAX_ROOM_MEMBERS } from './limits';
import { equalBytes } from './bytes';
import { MembershipError, Reason, VerificationError } from './errors';
import { commitToSecret, generateEpochSecret, sealEnvelope } from './epoch';
import { fingerprint, signRoomKey } from './identity';
import { type JoinRequest } from './join';
import { type InRoomState, type MemberState, type RoomContext, type SelfKeys, isHost, lobby, transition } from './member';
import { type LobbyRecord, handOverRecord, sealLobbyRecord } from './lobby';

export interface HostResult {
  readonly epoch: number;
  /** Send as the `commit` message's `commit`; the server stores it in the room's log. */
  readonly wrappedCommit: Uint8Array;
  /** participantId (base64url) -> sealed epoch secret. */
  readonly envelopes: ReadonlyMap<string, Uint8Array>;
  /** The sealed lobby record to publish with the commit, when it changes (create, transfer). */
  readonly lobby?: Uint8Array;
  readonly commitHash: Uint8Array;
  /** The host's state after its own commit (kind 'member', or 'ended' after end). */
  readonly state: MemberState;
}

export interface Admission {
  readonly participantId: string;
  readonly request: JoinRequest;
}

export interface CreateRoomInput {
  readonly room: RoomContext;
  readonly self: SelfKeys;
  readonly participantId: string;
  readonly displayName: string;
  readonly locked?: boolean;
}

/** Epoch 0: the host alone, at index 0. */
export async function createRoom(input: CreateRoomInput): Promise<HostResult> {
  const { room, self } = input;
  if (!equalBytes(fingerprint(self.identity.publicKey), room.hostFingerprint)) {
    throw new VerificationError(Reason.hostMismatch, 'the link names another host fingerprint than this identity');
  }
  const host: CommitMember = {
    index: 0,
    identityPublicKey: self.identity.publicKey,
    roomPublicKey: self.roomKey.publicKey,
    roomKeySignature: await signRoomKey(self.identity, room.roomId, self.roomKey.publicKey),
    participantId: participantIdBytes(input.participantId),
    displayName: input.displayName,
  };
  const next = { action: 'create', members: [host], hostIndex: 0, locked: input.locked ?? false, ended: false } as const;
  const record: LobbyRecord = { hostIdentityPublicKey: host.identityPublicKey, hostRoomPublicKey: host.roomPublicKey, roomKeySignature: host.roomKeySignature, handovers: [] };
  return publish(lobby(room, self, record), self, room, 0, ZERO_HASH, next, null, record);
}

/** Admit one or more lobby guests (whose requests openJoinRequest verified) in one commit. */
export async function admit(state: MemberState, admissions: readonly Admission[]): Promise<HostResult> {
  const host = requireHost(state);
  if (admissions.length === 0) throw new MembershipError(Reason.actionMismatch, 'admit needs at least one guest');
  if (host.members.length + admissions.length > MAX_ROOM_MEMBERS) {
    throw new MembershipError(Reason.roomFull, `admitting ${admissions.length} would exceed ${MAX_ROOM_MEMBERS} members`);
  }
  const members = [...host.members];
  for (const { participantId, request } of admissions) {
    if (members.some((m) => equalBytes(m.identityPublicKey, request.identityPublicKey))) {
      throw new MembershipError(Reason.duplicateMember, `${request.displayName} is already a member`);
    }
    members.push({
      index: smallestFreeIndex(members),
      identityPublicKey: request.identityPublicKey,
      roomPublicKey: request.roomPublicKey,
      roomKeySignature: request.roomKeySignature,
      participantId: participantIdBytes(participantId),
      displayName: request.displayName,
    });
  }
  return next(host, 'admit', { members: sortByIndex(members) });
}

/** Remove members (not the host) by index. */
export async function remove(state: MemberState, indexes: readonly number[]): Promise<HostResult> {
  const host = requireHost(state);
  return next(host, 'remove', { members: without(host, indexes) });
}

/** Record that a member (not the host) left. */
export async function leave(state: MemberState, index: number): Promise<HostResult> {
  const host = requireHost(state);
  return next(host, 'leave', { members: without(host, [index]) });
}

export async function setLocked(state: MemberState, locked: boolean): Promise<HostResult> {
  const host = requireHost(state);
  return next(host, locked ? 'lock' : 'unlock', { locked });
}

/** End the room for everyone. The end commit carries a secret and envelopes like any other, so members can read it; nothing is keyed from it. */
export async function end(state: MemberState): Promise<HostResult> {
  return next(requireHost(state), 'end', { ended: true });
}

/** Hand the host role to another member. */
export async function transfer(state: MemberState, toIndex: number): Promise<HostResult> {
  const host = requireHost(state);
  requireMember(host, toIndex);
  if (toIndex === host.hostIndex) throw new MembershipError(Reason.actionMismatch, 'transfer to the current host');
  if (host.lobby === null) throw new MembershipError(Reason.notHost, 'the host holds no lobby record to hand over');
  const to = host.members.find((m) => m.index === toIndex) as CommitMember;
  return next(host, 'transfer', { hostIndex: toIndex }, await handOverRecord(host.self.identity, host.roomId, host.epoch + 1, host.lobby, to));
}

/** A fresh epoch secret, same members. */
export async function rekey(state: MemberState): Promise<HostResult> {
  return next(requireHost(state), 'rekey', {});
}

// --- internals

interface Change {
  readonly members?: readonly CommitMember[];
  readonly hostIndex?: number;
  readonly locked?: boolean;
  readonly ended?: boolean;
}

interface NextBody {
  readonly action: CommitAction;
  readonly members: readonly CommitMember[];
  readonly hostIndex: number;
  readonly locked: boolean;
  readonly ended: boolean;
}

function next(host: InRoomState, action: CommitAction, change: Change, record?: LobbyRecord): Promise<HostResult> {
  const body: NextBody = {
    action,
    members: change.members ?? host.members,
    hostIndex: change.hostIndex ?? host.hostIndex,
    locked: change.locked ?? host.locked,
    ended: change.ended ?? false,
  };
  return publish(record === undefined ? host : { ...host, lobby: record }, host.self, host.room, host.epoch + 1, host.commitHash, body, host.epochSecret, record);
}

async function publish(
  current: MemberState,
  self: SelfKeys,
  room: RoomContext,
  epoch: number,
  prevHash: Uint8Array,
  body: NextBody,
  previousSecret: Uint8Array | null,
  record?: LobbyRecord,
): Promise<HostResult> {
  const secret = generateEpochSecret();
  const secretCommitment = commitToSecret(secret, room.roomId, epoch);
  const signed = await signCommit(self.identity, { roomId: room.roomId, epoch, prevHash, secretCommitment, ...body });
  const wrappedCommit = wrapCommit(signed, secret, previousSecret);
  const envelopes = new Map<string, Uint8Array>();
  for (const m of body.members) envelopes.set(participantIdText(m.participantId), sealEnvelope(epoch, secret, m.roomPublicKey));
  const own = body.members.find((m) => equalBytes(m.identityPublicKey, self.identity.publicKey));
  const ownEnvelope = own === undefined ? undefined : envelopes.get(participantIdText(own.participantId));
  const applied = transition(current, ownEnvelope === undefined ? { type: 'commit', wrapped: wrappedCommit } : { type: 'commit', wrapped: wrappedCommit, envelope: ownEnvelope });
  if (applied.error !== undefined) throw applied.error;
  const lobbyRecord = record === undefined ? {} : { lobby: sealLobbyRecord(room, record) };
  return { epoch, wrappedCommit, envelopes, commitHash: signed.hash, state: applied.state, ...lobbyRecord };
}

function requireHost(state: MemberState): InRoomState {
  if (!isHost(state)) throw new MembershipError(Reason.notHost, 'only the host can change the room');
  return state;
}

function requireMember(host: InRoomState, index: number): void {
  if (!host.members.some((m) => m.index === index)) throw new MembershipError(Reason.notMember, `no member at index ${index}`);
}

function without(host: InRoomState, indexes: readonly number[]): CommitMember[] {
  if (indexes.length === 0) throw new MembershipError(Reason.actionMismatch, 'no member named');
  for (const index of indexes) {
    requireMember(host, index);
    if (index === host.hostIndex) throw new MembershipError(Reason.actionMismatch, 'the host cannot remove itself; transfer or end instead');
  }
  return host.members.filter((m) => !indexes.includes(m.index));
}

function smallestFreeIndex(members: readonly CommitMember[]): number {
  for (let i = 0; i <= MAX_MEMBER_INDEX; i++) if (!members.some((m) => m.index === i)) return i;
  throw new MembershipError(Reason.roomFull, 'no free member index');
}

function sortByIndex(members: readonly CommitMember[]): CommitMember[] {
  return [...members].sort((a, b) => a.index - b.index);
}
