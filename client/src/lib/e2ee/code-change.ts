// Why the call security code changed, in one sentence: the member lists of two epochs compared
// (who joined, who left or was removed) and, when nobody came or went, what the commit did.
// Members are told apart by index and identity key, never by name alone.
import { toBase64Url, type CommitAction } from '../../../../crypto/index';

export interface SnapshotMember {
  readonly index: number;
  readonly identityPublicKey: Uint8Array;
  readonly name: string;
  readonly isHost: boolean;
  readonly isSelf: boolean;
}

/** One epoch as this page saw it. */
export interface EpochSnapshot {
  readonly epoch: number;
  readonly action: CommitAction;
  readonly members: readonly SnapshotMember[];
}

/** Names listed in full; past this, "and N others". */
const MAX_NAMED = 3;

/** "Carol joined", "Bob was removed", "Carol joined; Bob left", "the keys were renewed". */
export function describeCodeChange(before: EpochSnapshot, after: EpochSnapshot): string {
  const was = new Set(before.members.map(memberKey));
  const now = new Set(after.members.map(memberKey));
  const joined = after.members.filter((m) => !was.has(memberKey(m)));
  const gone = before.members.filter((m) => !now.has(memberKey(m)));
  // Over several epochs at once (a resync) the last action does not say how each one went.
  const removed = after.epoch === before.epoch + 1 && after.action === 'remove';
  const parts: string[] = [];
  if (joined.length > 0) parts.push(`${nameList(joined)} joined`);
  if (gone.length > 0) parts.push(`${nameList(gone)} ${removed ? (gone.length === 1 ? 'was removed' : 'were removed') : 'left'}`);
  if (parts.length > 0) return parts.join('; ');
  return unchangedMembers(before, after);
}

function unchangedMembers(before: EpochSnapshot, after: EpochSnapshot): string {
  const host = after.members.find((m) => m.isHost);
  const hostBefore = before.members.find((m) => m.isHost);
  if (host !== undefined && (hostBefore === undefined || memberKey(host) !== memberKey(hostBefore))) {
    return host.isSelf ? 'you are now the host' : `${host.name} is now the host`;
  }
  switch (after.action) {
    case 'lock':
      return 'the room was locked';
    case 'unlock':
      return 'the room was unlocked';
    case 'end':
      return 'the room ended';
    default:
      return 'the keys were renewed';
  }
}

function memberKey(member: SnapshotMember): string {
  return `${member.index}/${toBase64Url(member.identityPublicKey)}`;
}

function nameList(members: readonly SnapshotMember[]): string {
  const names = members.map((m) => m.name);
  if (names.length === 1) return names[0] as string;
  if (names.length <= MAX_NAMED) return `${names.slice(0, -1).join(', ')} and ${names.at(-1) as string}`;
  const others = names.length - (MAX_NAMED - 1);
  return `${names.slice(0, MAX_NAMED - 1).join(', ')} and ${others} others`;
}
