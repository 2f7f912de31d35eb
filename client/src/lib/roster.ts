// INTERIM member names, until names travel inside signed commits: the host keeps
// participantId -> name for admitted members and itself, and relays that table to everyone,
// wrapped under the link's commit-wrap key, whenever it changes or someone arrives. Members
// unwrap it to label tiles. The server relays the bytes and never sees a name.
//
//   payload = base64url( wrap(commitWrapKey, Label.commitWrapKey, utf8("roster"), utf8(JSON {v:1, names})) )
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../../crypto/bytes';
import { Label } from '../../../crypto/labels';
import { type LinkKeys } from '../../../crypto/link';
import { unwrap, wrap } from '../../../crypto/wrap';
import { MAX_MEMBERS, ParticipantId } from '../../../protocol/protocol';
import { cleanName } from './names';

export type Roster = ReadonlyMap<string, string>;

const CONTEXT = utf8('roster');
const ROSTER_VERSION = 1;

export function sealRoster(keys: LinkKeys, roster: Roster): string {
  const names = Object.fromEntries(roster);
  return toBase64Url(wrap(keys.commitWrapKey, Label.commitWrapKey, CONTEXT, utf8(JSON.stringify({ v: ROSTER_VERSION, names }))));
}

/** The roster inside `payload`, or undefined if it is not a roster sealed with this link. */
export function openRoster(keys: LinkKeys, payload: string): Roster | undefined {
  let body: unknown;
  try {
    body = JSON.parse(fromUtf8(unwrap(keys.commitWrapKey, Label.commitWrapKey, CONTEXT, fromBase64Url(payload))));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { v, names } = body as { v?: unknown; names?: unknown };
  if (v !== ROSTER_VERSION || typeof names !== 'object' || names === null) return undefined;
  const roster = new Map<string, string>();
  for (const [id, name] of Object.entries(names)) {
    if (roster.size >= MAX_MEMBERS) break;
    if (ParticipantId.safeParse(id).success && typeof name === 'string') roster.set(id, cleanName(name));
  }
  return roster;
}
