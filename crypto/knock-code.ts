// Knock codes: a short code from the keys inside a join request, shown in the host's knock list
// and in the knocker's own lobby, so the two can compare aloud when it matters (a knock swapped by
// the server, decision 0015):
//
//   b    = hash("sealroom/v1/code/knock", u8 version = 1 || roomId (16) || identityPub (32) || roomPub (32))
//   code = b[0..5) as a big-endian integer mod 10^KNOCK_CODE_DIGITS, zero-padded, in groups of three
//
// Western digits only, so a host reading French and a guest reading Arabic say the same thing.
// Nothing new travels: the host reads both keys from the verified request, the guest knows its own.
import { Writer } from './bytes';
import { PUBLIC_KEY_BYTES, ROOM_ID_BYTES, assertLength } from './identity';
import { labelledHash } from './kdf';
import { Label } from './labels';
import { KNOCK_CODE_DIGITS } from './limits';

const KNOCK_CODE_VERSION = 1;
const CODE_BYTES = 5;
const GROUP = 3;

/** The knock code of these keys in this room: KNOCK_CODE_DIGITS digits in groups of three, e.g. "042 917". */
export function knockCode(roomId: Uint8Array, identityPublicKey: Uint8Array, roomPublicKey: Uint8Array): string {
  assertLength(roomId, ROOM_ID_BYTES, 'room id');
  assertLength(identityPublicKey, PUBLIC_KEY_BYTES, 'identity key');
  assertLength(roomPublicKey, PUBLIC_KEY_BYTES, 'room key');
  const input = new Writer().u8(KNOCK_CODE_VERSION).bytes(roomId).bytes(identityPublicKey).bytes(roomPublicKey).finish();
  const b = labelledHash(Label.knockCode, input);
  let value = 0;
  for (let i = 0; i < CODE_BYTES; i++) value = value * 256 + (b[i] as number);
  const digits = String(value % 10 ** KNOCK_CODE_DIGITS).padStart(KNOCK_CODE_DIGITS, '0');
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += GROUP) groups.push(digits.slice(i, i + GROUP));
  return groups.join(' ');
}
