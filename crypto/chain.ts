// The commit chain: what every party checks before it accepts a commit, in this order.
//
// Genesis (no commit held yet; a joiner reading the log from the start):
//   epoch 0 (else gap) -> signature (bad-signature) -> room id (wrong-room)
//   -> fingerprint(signer) equals the link's host fingerprint (host-mismatch)
//   -> action create, prevHash zero (action-mismatch / fork) -> member list (below)
//   -> exactly the signer, alone, as host (host-mismatch / action-mismatch)
//
// Snapshot (no commit held, and the commit is not epoch 0: a joiner admitted into a room that has
// a history, or a page reloading; or, in a log, a commit more than one epoch past the head held):
//   signature (bad-signature) -> room id (wrong-room) -> above the head, not after an end
//   (out-of-order / room-ended) -> signed by the host in office at that epoch by the lobby
//   record's hand-overs (lobby.ts; host-mismatch) -> member list (below) -> names as host the
//   one the hand-overs leave in office, with a hand-over exactly when the action is transfer
//   (host-mismatch / action-mismatch) -> room-key signature of every entry not already held
//   -> self: a member's own entry unchanged, or gone (removed) -> flags, secret present.
// The commit is as good as the host's signature: what a snapshot cannot check is the path from
// the head held (or from epoch 0), so its prevHash is taken as given and the call security code,
// which covers prevHash, still differs from any member shown another history. Like MLS's Welcome.
//
// Next commit, against the head held:
//   1. hash equals the one held for that epoch           ReplayError     replayed
//   2. signature by the stated signer                    VerificationError bad-signature
//   3. room id                                           VerificationError wrong-room
//   4. epoch: lower / same / above head + 1              EpochError out-of-order / fork / gap
//   5. head is not an `end` commit                       EpochError room-ended
//   6. signer is the host the head names                 MembershipError not-host
//   7. prevHash equals the head's hash                   EpochError fork
//   8. member list: sorted, no repeated index or identity key, at most 50, host index present
//                                                        CodecError malformed / MembershipError
//                                                        duplicate-member, room-full, not-member
//   9. self (members only): same entry at the same index  MembershipError self-altered; dropped
//      only by remove/leave (state removed)               MembershipError self-dropped otherwise
//  10. every entry not byte-identical to the head's entry at that index is new; new entries only
//      with admit (a replaced entry is a ghost too)       MembershipError ghost-member
//  11. room-key signature of every new entry              VerificationError bad-signature
//  12. the action matches the change (adds, removals, host, flags)  MembershipError action-mismatch
// Entries carried over unchanged were verified when they were first admitted, so step 11 checks
// each room-key signature exactly once per chain. The epoch-secret envelope is checked by the
// caller (member.ts) against the commitment of the commit accepted here.
import { equalBytes } from './bytes';
import { type CommitAction, type CommitMember, type SignedCommit, ZERO_HASH, verifyCommitSignature } from './commit';
import { CodecError, EpochError, MembershipError, Reason, ReplayError, VerificationError } from './errors';
import { fingerprint, verifyRoomKey } from './identity';
import { CHAIN_HISTORY_KEPT, MAX_ROOM_MEMBERS } from './limits';
import { type HandOver, hostsAt } from './lobby';

/** What a party holds after accepting a commit: the head of the chain. */
export interface ChainHead {
  readonly roomId: Uint8Array;
  readonly epoch: number;
  readonly commitHash: Uint8Array;
  readonly action: CommitAction;
  readonly members: readonly CommitMember[];
  readonly hostIndex: number;
  readonly locked: boolean;
  readonly ended: boolean;
  readonly secretCommitment: Uint8Array;
  /** commitHash of the newest epochs held, oldest first, ending at `epoch` (at most CHAIN_HISTORY_KEPT). */
  readonly history: readonly Uint8Array[];
}

/** The verifying party: its keys, and its index when it is already a member. */
export interface SelfRef {
  readonly identityPublicKey: Uint8Array;
  readonly roomPublicKey: Uint8Array;
  readonly index: number | null;
}

/** absent: not in the list (lobby). admitted: newly listed. present: still listed. ended: by an end commit, for anyone. */
export type SelfStatus = 'absent' | 'admitted' | 'present' | 'removed' | 'ended';

export interface ChainStep {
  readonly head: ChainHead;
  readonly self: SelfStatus;
  readonly ownIndex: number | null;
  readonly added: readonly CommitMember[];
  readonly removed: readonly CommitMember[];
}

export interface ChainRoom {
  readonly roomId: Uint8Array;
  readonly hostFingerprint: Uint8Array;
}

/**
 * Accept `signed` after `prev` (null: nothing held). `handovers` come from a verified lobby record
 * (null: none known, so no snapshot can be accepted); `jump` allows a commit past the next epoch
 * (a sync answer, whose older part the server may no longer hold). Throws typed errors.
 */
export function verifyNext(room: ChainRoom, prev: ChainHead | null, signed: SignedCommit, self: SelfRef | null, handovers: readonly HandOver[] | null = null, jump = false): ChainStep {
  const epoch = signed.body.epoch;
  if (prev === null && epoch === 0) return verifyGenesis(room, signed, self);
  if (prev !== null && (epoch <= prev.epoch + 1 || !jump)) return verifySuccessor(room, prev, signed, self);
  if (handovers === null) throw new EpochError(Reason.gap, `commit for epoch ${epoch} needs the lobby record to be checked on its own`);
  return verifySnapshot(room, prev, signed, self, handovers);
}

function verifySnapshot(room: ChainRoom, prev: ChainHead | null, signed: SignedCommit, self: SelfRef | null, handovers: readonly HandOver[]): ChainStep {
  const body = signed.body;
  verifyCommitSignature(signed);
  checkRoom(room, signed);
  if (prev !== null && body.epoch <= prev.epoch) throw new EpochError(Reason.outOfOrder, `commit for epoch ${body.epoch} arrived at epoch ${prev.epoch}`);
  if (prev?.ended) throw new EpochError(Reason.roomEnded, `the room ended at epoch ${prev.epoch}`);
  const hosts = hostsAt(handovers, body.epoch);
  const signerOk = hosts.before === undefined ? equalBytes(fingerprint(body.signer), room.hostFingerprint) : equalBytes(hosts.before, body.signer);
  if (!signerOk) throw new VerificationError(Reason.hostMismatch, `commit for epoch ${body.epoch} is not signed by the host in office then`);
  checkMemberList(body.members, body.hostIndex);
  const named = body.members.find((m) => m.index === body.hostIndex) as CommitMember;
  if (!equalBytes(named.identityPublicKey, hosts.after ?? body.signer)) {
    throw new VerificationError(Reason.hostMismatch, `commit for epoch ${body.epoch} names another host than the hand-overs`);
  }
  if (hosts.handover !== (body.action === 'transfer')) throw new MembershipError(Reason.actionMismatch, `commit for epoch ${body.epoch}: a hand-over comes only with a transfer`);
  if (body.action === 'create') throw new MembershipError(Reason.actionMismatch, 'only epoch 0 creates');
  if (body.ended !== (body.action === 'end')) throw new MembershipError(Reason.actionMismatch, `commit for epoch ${body.epoch}: ended flag does not match`);
  if (equalBytes(body.secretCommitment, ZERO_HASH)) throw new MembershipError(Reason.actionMismatch, `commit for epoch ${body.epoch} carries no secret`);
  const known = new Map((prev?.members ?? []).map((m) => [m.index, m]));
  for (const m of body.members) {
    const old = known.get(m.index);
    if (old === undefined || !sameEntry(old, m)) verifyRoomKey(m.identityPublicKey, body.roomId, m.roomPublicKey, m.roomKeySignature);
  }
  const before = prev?.members ?? [];
  const added = body.members.filter((m) => !before.some((o) => sameEntry(o, m)));
  const removed = before.filter((o) => !body.members.some((m) => sameEntry(o, m)));
  const head = headOf(signed, []);
  const ownIndex = self?.index ?? null;
  if (self !== null && ownIndex !== null) {
    const now = body.members.find((m) => m.index === ownIndex);
    const mine = before.find((m) => m.index === ownIndex);
    const elsewhere = body.members.some((m) => m.index !== ownIndex && equalBytes(m.identityPublicKey, self.identityPublicKey));
    if (elsewhere || (now !== undefined && (mine === undefined || !sameEntry(mine, now)))) {
      throw new MembershipError(Reason.selfAltered, `commit alters this member's own entry (index ${ownIndex})`);
    }
    if (body.action === 'end') return { head, self: 'ended', ownIndex: null, added, removed };
    return now === undefined ? { head, self: 'removed', ownIndex: null, added, removed } : { head, self: 'present', ownIndex, added, removed };
  }
  if (body.action === 'end') return { head, self: 'ended', ownIndex: null, added, removed };
  const mine = self === null ? undefined : findSelf(body.members, self);
  return { head, self: mine ? 'admitted' : 'absent', ownIndex: mine?.index ?? null, added, removed };
}

function verifyGenesis(room: ChainRoom, signed: SignedCommit, self: SelfRef | null): ChainStep {
  const body = signed.body;
  if (body.epoch !== 0) throw new EpochError(Reason.gap, `the chain must start at epoch 0, got epoch ${body.epoch}`);
  verifyCommitSignature(signed);
  checkRoom(room, signed);
  if (!equalBytes(fingerprint(body.signer), room.hostFingerprint)) {
    throw new VerificationError(Reason.hostMismatch, 'epoch 0 is not signed by the host named in the link');
  }
  if (body.action !== 'create') throw new MembershipError(Reason.actionMismatch, `epoch 0 must be create, got ${body.action}`);
  if (!equalBytes(body.prevHash, ZERO_HASH)) throw new EpochError(Reason.fork, 'epoch 0 names a previous commit');
  checkMemberList(body.members, body.hostIndex);
  const host = body.members[0];
  if (body.members.length !== 1 || host === undefined || body.ended) {
    throw new MembershipError(Reason.actionMismatch, 'epoch 0 must list the host alone, not ended');
  }
  if (!equalBytes(host.identityPublicKey, body.signer)) throw new VerificationError(Reason.hostMismatch, 'epoch 0 lists another host than its signer');
  verifyRoomKey(host.identityPublicKey, body.roomId, host.roomPublicKey, host.roomKeySignature);
  const mine = self === null ? undefined : findSelf(body.members, self);
  return { head: headOf(signed, []), self: mine ? 'admitted' : 'absent', ownIndex: mine?.index ?? null, added: body.members, removed: [] };
}

function verifySuccessor(room: ChainRoom, prev: ChainHead, signed: SignedCommit, self: SelfRef | null): ChainStep {
  const body = signed.body;
  const held = prev.history[prev.history.length - 1 - (prev.epoch - body.epoch)];
  if (held !== undefined && equalBytes(held, signed.hash)) throw new ReplayError(Reason.replayed, `commit for epoch ${body.epoch} was already accepted`);
  verifyCommitSignature(signed);
  checkRoom(room, signed);
  checkEpoch(prev, body.epoch);
  if (prev.ended) throw new EpochError(Reason.roomEnded, `the room ended at epoch ${prev.epoch}`);
  const host = prev.members.find((m) => m.index === prev.hostIndex);
  if (host === undefined || !equalBytes(host.identityPublicKey, body.signer)) {
    throw new MembershipError(Reason.notHost, `commit for epoch ${body.epoch} is not signed by the host (index ${prev.hostIndex})`);
  }
  if (!equalBytes(body.prevHash, prev.commitHash)) throw new EpochError(Reason.fork, `commit for epoch ${body.epoch} does not extend the chain held`);
  checkMemberList(body.members, body.hostIndex);
  const ownIndex = self === null ? null : self.index;
  const selfStatus = self === null || ownIndex === null ? null : checkSelf(prev, body.members, body.action, self, ownIndex);
  const { added, removed } = diffMembers(prev.members, body.members, body.action);
  for (const m of added) verifyRoomKey(m.identityPublicKey, body.roomId, m.roomPublicKey, m.roomKeySignature);
  checkAction(prev, signed, added.length, removed.length);
  const head = headOf(signed, prev.history);
  if (selfStatus !== null) {
    const status = body.action === 'end' ? 'ended' : selfStatus;
    return { head, self: status, ownIndex: status === 'removed' ? null : ownIndex, added, removed };
  }
  if (body.action === 'end') return { head, self: 'ended', ownIndex: null, added, removed };
  const admitted = self === null ? undefined : findSelf(added, self);
  return { head, self: admitted ? 'admitted' : 'absent', ownIndex: admitted?.index ?? null, added, removed };
}

function headOf(signed: SignedCommit, history: readonly Uint8Array[]): ChainHead {
  const b = signed.body;
  return {
    roomId: b.roomId,
    epoch: b.epoch,
    commitHash: signed.hash,
    action: b.action,
    members: b.members,
    hostIndex: b.hostIndex,
    locked: b.locked,
    ended: b.ended,
    secretCommitment: b.secretCommitment,
    history: [...history.slice(-(CHAIN_HISTORY_KEPT - 1)), signed.hash],
  };
}

// --- the checks, one helper each

function checkRoom(room: ChainRoom, signed: SignedCommit): void {
  if (!equalBytes(signed.body.roomId, room.roomId)) throw new VerificationError(Reason.wrongRoom, `commit for epoch ${signed.body.epoch} is for another room`);
}

function checkEpoch(prev: ChainHead, epoch: number): void {
  if (epoch < prev.epoch) throw new EpochError(Reason.outOfOrder, `commit for epoch ${epoch} arrived at epoch ${prev.epoch}`);
  if (epoch === prev.epoch) throw new EpochError(Reason.fork, `a second, different commit for epoch ${epoch}`);
  if (epoch > prev.epoch + 1) throw new EpochError(Reason.gap, `commit for epoch ${epoch} skips epochs after ${prev.epoch}`);
}

function checkMemberList(members: readonly CommitMember[], hostIndex: number): void {
  const keys = new Set<string>();
  let last = -1;
  for (const m of members) {
    if (m.index === last) throw new MembershipError(Reason.duplicateMember, `index ${m.index} is listed twice`);
    if (m.index < last) throw new CodecError(Reason.malformed, 'member list is not sorted by index');
    last = m.index;
    const key = m.identityPublicKey.join(',');
    if (keys.has(key)) throw new MembershipError(Reason.duplicateMember, `member ${m.index} repeats another member's identity key`);
    keys.add(key);
  }
  if (members.length > MAX_ROOM_MEMBERS) throw new MembershipError(Reason.roomFull, `${members.length} members, above ${MAX_ROOM_MEMBERS}`);
  if (!members.some((m) => m.index === hostIndex)) throw new MembershipError(Reason.notMember, `host index ${hostIndex} is not a member`);
}

function checkSelf(prev: ChainHead, members: readonly CommitMember[], action: CommitAction, self: SelfRef, index: number): SelfStatus {
  const before = prev.members.find((m) => m.index === index);
  const now = members.find((m) => m.index === index);
  const elsewhere = members.some((m) => m.index !== index && equalBytes(m.identityPublicKey, self.identityPublicKey));
  if (before === undefined || elsewhere || (now !== undefined && !sameEntry(before, now))) {
    throw new MembershipError(Reason.selfAltered, `commit alters this member's own entry (index ${index})`);
  }
  if (now !== undefined) return 'present';
  if (action === 'remove' || action === 'leave') return 'removed';
  throw new MembershipError(Reason.selfDropped, `commit (${action}) drops this member (index ${index})`);
}

function diffMembers(before: readonly CommitMember[], after: readonly CommitMember[], action: CommitAction) {
  const byIndex = new Map(before.map((m) => [m.index, m]));
  const kept = new Set<number>();
  const added: CommitMember[] = [];
  for (const m of after) {
    const old = byIndex.get(m.index);
    if (old !== undefined && !sameEntry(old, m)) throw new MembershipError(Reason.ghostMember, `member ${m.index} was replaced by another entry`);
    if (old !== undefined) kept.add(m.index);
    else if (action !== 'admit') throw new MembershipError(Reason.ghostMember, `member ${m.index} appears without an admit (${action})`);
    else added.push(m);
  }
  return { added, removed: before.filter((m) => !kept.has(m.index)) };
}

function checkAction(prev: ChainHead, signed: SignedCommit, added: number, removed: number): void {
  const b = signed.body;
  const fail = (why: string): never => {
    throw new MembershipError(Reason.actionMismatch, `${b.action} commit for epoch ${b.epoch}: ${why}`);
  };
  const changes = { admit: added > 0 && removed === 0, remove: removed > 0, leave: removed === 1 };
  if (b.action === 'create') fail('only epoch 0 creates');
  if (b.action === 'admit' && !changes.admit) fail('admits no one');
  if (b.action === 'remove' && !changes.remove) fail('removes no one');
  if (b.action === 'leave' && !changes.leave) fail('must drop exactly one member');
  if (b.action !== 'remove' && b.action !== 'leave' && removed > 0) fail('drops members');
  if ((b.action === 'transfer') !== (b.hostIndex !== prev.hostIndex)) fail('host changes only by transfer');
  const locked = b.action === 'lock' ? true : b.action === 'unlock' ? false : prev.locked;
  if (b.locked !== locked) fail('lock flag does not match');
  if (b.ended !== (b.action === 'end')) fail('ended flag does not match');
  if (equalBytes(b.secretCommitment, ZERO_HASH)) fail('every commit carries a secret');
}

function sameEntry(a: CommitMember, b: CommitMember): boolean {
  return (
    a.index === b.index &&
    equalBytes(a.identityPublicKey, b.identityPublicKey) &&
    equalBytes(a.roomPublicKey, b.roomPublicKey) &&
    equalBytes(a.roomKeySignature, b.roomKeySignature) &&
    equalBytes(a.participantId, b.participantId) &&
    a.displayName === b.displayName
  );
}

function findSelf(members: readonly CommitMember[], self: SelfRef): CommitMember | undefined {
  return members.find((m) => equalBytes(m.identityPublicKey, self.identityPublicKey) && equalBytes(m.roomPublicKey, self.roomPublicKey));
}
