// Translation between crypto/ values and the signaling protocol's messages, for the driver:
// a host result becomes a `commit` message, a relayed commit or sync entry becomes the state
// machine's IncomingCommit, and participant ids become member indexes.
import { fromBase64Url, toBase64Url, type ChainHead, participantIdText, type HostResult, type IncomingCommit } from '../../crypto/index';
import { type ClientMessage, PROTOCOL_VERSION, type ServerMessage } from '../../protocol/protocol';
import { DriverError } from './errors';

/** One entry of a `commits` answer. */
export type LoggedCommit = Extract<ServerMessage, { type: 'commits' }>['commits'][number];

/** The `commit` message that publishes a host result: the wrapped commit and one envelope per member. */
export function commitMessage(result: HostResult): ClientMessage {
  const envelopes: Record<string, string> = {};
  for (const [participantId, envelope] of result.envelopes) envelopes[participantId] = toBase64Url(envelope);
  return { v: PROTOCOL_VERSION, type: 'commit', epoch: result.epoch, commit: toBase64Url(result.wrappedCommit), envelopes };
}

/** A relayed `commit`, or one entry of a `commits` answer, as the state machine takes it. */
export function incoming(entry: { readonly commit: string; readonly envelope?: string | undefined }): IncomingCommit {
  const wrapped = fromBase64Url(entry.commit);
  return entry.envelope === undefined ? { wrapped } : { wrapped, envelope: fromBase64Url(entry.envelope) };
}

/** The member indexes of `participantIds` in the signed member list; throws `not-member` for any other id. */
export function indexesOf(head: ChainHead, participantIds: readonly string[]): number[] {
  return participantIds.map((id) => {
    const member = head.members.find((m) => participantIdText(m.participantId) === id);
    if (member === undefined) throw new DriverError('not-member', `${id} is not in the member list of epoch ${head.epoch}`);
    return member.index;
  });
}
