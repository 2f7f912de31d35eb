// INTERIM join request, until the lead wires sealed join requests (crypto/join.ts): the guest's
// display name, wrapped under the link's join-MAC key and bound to the room id. The server, which
// never holds the link secret, can neither read the name nor forge or alter a knock.
//
//   payload = base64url( wrap(joinMacKey, Label.joinMac, roomIdBytes(roomId), utf8(JSON {name})) )
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../../crypto/bytes';
import { Label } from '../../../crypto/labels';
import { roomIdBytes, type LinkKeys } from '../../../crypto/link';
import { unwrap, wrap } from '../../../crypto/wrap';
import { cleanName } from './names';

export interface Knock {
  readonly name: string;
}

export function sealKnock(keys: LinkKeys, roomId: string, knock: Knock): string {
  const body = utf8(JSON.stringify({ name: cleanName(knock.name) }));
  return toBase64Url(wrap(keys.joinMacKey, Label.joinMac, roomIdBytes(roomId), body));
}

/** The knock inside `payload`, or undefined if it was not made with this link for this room. */
export function openKnock(keys: LinkKeys, roomId: string, payload: string): Knock | undefined {
  try {
    const body: unknown = JSON.parse(fromUtf8(unwrap(keys.joinMacKey, Label.joinMac, roomIdBytes(roomId), fromBase64Url(payload))));
    if (typeof body !== 'object' || body === null || !('name' in body) || typeof body.name !== 'string') return undefined;
    return { name: cleanName(body.name) };
  } catch {
    return undefined;
  }
}
