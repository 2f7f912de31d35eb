// A room's title, description and optional scheduled start, sealed under the link's room-info key
// (link.ts), so the server stores and serves bytes it cannot read, and anyone with the link can.
//
//   +--------+------------------------+------------------------------+---------+-------------------+
//   | u8 = 1 | u16 n | title (1..120) | u16 m | description (0..1000) | u8 flag | u64 startsAt (ms)  |
//   +--------+------------------------+------------------------------+---------+-------------------+
//   flag 1: startsAt present (Unix milliseconds); flag 0: it is absent and the u64 is zero.
//   sealed = wrap(roomInfoKey, "sealroom/v1/link/room-info-key", context = "", plaintext)   (wrap.ts)
//
// Lengths are bytes of UTF-8. The room-info key is fresh per link, so no room id is needed as
// context (the host seals the info before the server has assigned one).
import { Reader, Writer, fromUtf8, utf8 } from './bytes';
import { CodecError, Reason } from './errors';
import { Label } from './labels';
import { MAX_DESCRIPTION_BYTES, MAX_TITLE_BYTES } from './limits';
import { checkVersion } from './version';
import { unwrap, wrap } from './wrap';

const ROOM_INFO_VERSION = 1;
const MAX_START_MS = 8_640_000_000_000_000; // the largest JavaScript Date

export interface RoomInfo {
  readonly title: string;
  readonly description: string;
  /** Scheduled start, Unix milliseconds, if any. */
  readonly startsAt?: number;
}

const CONTEXT = new Uint8Array(0);

export function encodeRoomInfo(info: RoomInfo): Uint8Array {
  const title = utf8(info.title.trim());
  const description = utf8(info.description.trim());
  if (title.length === 0 || title.length > MAX_TITLE_BYTES) throw new CodecError(Reason.fieldTooLong, `a title has 1 to ${MAX_TITLE_BYTES} bytes`);
  if (description.length > MAX_DESCRIPTION_BYTES) throw new CodecError(Reason.fieldTooLong, `a description has at most ${MAX_DESCRIPTION_BYTES} bytes`);
  const start = info.startsAt;
  if (start !== undefined && (!Number.isSafeInteger(start) || start < 0 || start > MAX_START_MS)) throw new CodecError(Reason.outOfRange, 'start time is out of range');
  return new Writer()
    .u8(ROOM_INFO_VERSION)
    .vec16(title)
    .vec16(description)
    .u8(start === undefined ? 0 : 1)
    .u64(start ?? 0)
    .finish();
}

export function decodeRoomInfo(bytes: Uint8Array): RoomInfo {
  const r = new Reader(bytes, 'room info');
  checkVersion(r.u8(), ROOM_INFO_VERSION, 'room info');
  const title = fromUtf8(r.vec16(MAX_TITLE_BYTES));
  const description = fromUtf8(r.vec16(MAX_DESCRIPTION_BYTES));
  const flag = r.u8();
  const start = r.u64();
  r.end();
  if (title.length === 0) throw new CodecError(Reason.malformed, 'room info has an empty title');
  if (flag > 1 || (flag === 0 && start !== 0n) || start > BigInt(MAX_START_MS)) throw new CodecError(Reason.malformed, 'room info has a malformed start time');
  return flag === 1 ? { title, description, startsAt: Number(start) } : { title, description };
}

export function sealRoomInfo(roomInfoKey: Uint8Array, info: RoomInfo): Uint8Array {
  return wrap(roomInfoKey, Label.roomInfoKey, CONTEXT, encodeRoomInfo(info));
}

/** Throws VerificationError (wrong link, or altered) or CodecError. */
export function openRoomInfo(roomInfoKey: Uint8Array, sealed: Uint8Array): RoomInfo {
  return decodeRoomInfo(unwrap(roomInfoKey, Label.roomInfoKey, CONTEXT, sealed));
}
