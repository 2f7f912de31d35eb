// Why the call security code changed, in one sentence: the member lists of two epochs compared
// (who joined, who left or was removed) and, when nobody came or went, what the commit did.
// Members are told apart by index and identity key, never by name alone.
import { toBase64Url } from '../../../../crypto/index';
import { type CommitAction } from '../../../../crypto/index';
import { list, message, type ListValue, type Message } from '../i18n/message';

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

/** "Carol joined", "Bob was removed", "Carol joined; Bob left", "the keys were renewed", as a Message. */
export function describeCodeChange(before: EpochSnapshot, after: EpochSnapshot): Message {
  const was = new Set(before.members.map(memberKey));
  const now = new Set(after.members.map(memberKey));
  const joined = after.members.filter((m) => !was.has(memberKey(m)));
  const gone = before.members.filter((m) => !now.has(memberKey(m)));
  // Over several epochs at once (a resync) the last action does not say how each one went.
  const removed = after.epoch === before.epoch + 1 && after.action === 'remove';
  const parts: Message[] = [];
  if (joined.length > 0) parts.push(message('change.joined', { count: joined.length, names: nameList(joined) }));
  if (gone.length > 0) parts.push(message(removed ? 'change.removed' : 'change.left', { count: gone.length, names: nameList(gone) }));
  const [first, second] = parts;
  if (first !== undefined) return second === undefined ? first : message('change.both', { first, second });
  return unchangedMembers(before, after);
}

function unchangedMembers(before: EpochSnapshot, after: EpochSnapshot): Message {
  const host = after.members.find((m) => m.isHost);
  const hostBefore = before.members.find((m) => m.isHost);
  if (host !== undefined && (hostBefore === undefined || memberKey(host) !== memberKey(hostBefore))) {
    return host.isSelf ? message('change.youHost') : message('change.newHost', { name: host.name });
  }
  switch (after.action) {
    case 'lock':
      return message('change.locked');
    case 'unlock':
      return message('change.unlocked');
    case 'end':
      return message('change.ended');
    default:
      return message('change.renewed');
  }
}

function memberKey(member: SnapshotMember): string {
  return `${member.index}/${toBase64Url(member.identityPublicKey)}`;
}

function nameList(members: readonly SnapshotMember[]): ListValue {
  const names = members.map((m) => m.name);
  if (names.length <= MAX_NAMED) return list(names);
  const others = names.length - (MAX_NAMED - 1);
  return list([...names.slice(0, MAX_NAMED - 1), message('change.others', { count: others })]);
}
