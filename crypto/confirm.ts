// Epoch confirmations: members tell each other, under a key only holders of the epoch secret
// have, which commit they hold. The server relays them but cannot forge one, and it cannot make
// two members holding different commits for one epoch (an equivocation) produce matching ones.
//
//   +--------+-----------+------------------+----------+
//   | u8 = 1 | u64 epoch | u16 senderIndex  | tag (32) |        43 bytes
//   +--------+-----------+------------------+----------+
//
//   confirmKey = kdf(epochSecret, "epoch/confirm-key", roomId || u64 epoch)
//   tag        = kdf(confirmKey,  "epoch/confirm-mac", u64 epoch || u16 senderIndex || commitHash)
//
// A tag that does not match the receiver's own is reported as EpochError fork: the sender holds
// another commit or another secret for this epoch (or the relay altered the message).
import { Reader, Writer, equalBytes } from './bytes';
import { CodecError, EpochError, Reason } from './errors';
import { ROOM_ID_BYTES, assertLength } from './identity';
import { kdf } from './kdf';
import { Label } from './labels';
import { checkVersion } from './version';

const CONFIRM_VERSION = 1;
const TAG_BYTES = 32;

/** What a member holds for its current epoch (an InRoomState satisfies this). */
export interface ConfirmView {
  readonly roomId: Uint8Array;
  readonly epoch: number;
  readonly commitHash: Uint8Array;
  readonly epochSecret: Uint8Array;
}

export interface Confirmation {
  readonly epoch: number;
  readonly senderIndex: number;
  readonly tag: Uint8Array;
}

function confirmTag(view: ConfirmView, senderIndex: number): Uint8Array {
  assertLength(view.roomId, ROOM_ID_BYTES, 'room id');
  const key = kdf(view.epochSecret, Label.epochConfirmKey, new Writer().bytes(view.roomId).u64(view.epoch).finish());
  return kdf(key, Label.epochConfirmMac, new Writer().u64(view.epoch).u16(senderIndex).bytes(view.commitHash).finish(), TAG_BYTES);
}

export function encodeConfirmation(c: Confirmation): Uint8Array {
  assertLength(c.tag, TAG_BYTES, 'confirmation tag');
  return new Writer().u8(CONFIRM_VERSION).u64(c.epoch).u16(c.senderIndex).bytes(c.tag).finish();
}

export function decodeConfirmation(bytes: Uint8Array): Confirmation {
  const r = new Reader(bytes, 'confirmation');
  checkVersion(r.u8(), CONFIRM_VERSION, 'confirmation');
  const epoch = r.u64();
  if (epoch > BigInt(Number.MAX_SAFE_INTEGER)) throw new CodecError(Reason.outOfRange, 'confirmation names an epoch beyond 2^53 - 1');
  const senderIndex = r.u16();
  const tag = r.bytes(TAG_BYTES);
  r.end();
  return { epoch: Number(epoch), senderIndex, tag };
}

/** The confirmation this member sends for its current epoch. */
export function makeConfirmation(view: ConfirmView, ownIndex: number): Uint8Array {
  return encodeConfirmation({ epoch: view.epoch, senderIndex: ownIndex, tag: confirmTag(view, ownIndex) });
}

/**
 * Check a peer's confirmation against this member's own view. Returns the sender's index.
 * Throws EpochError unknown-epoch if it is for another epoch (compare later), fork on a mismatch.
 */
export function checkConfirmation(view: ConfirmView, bytes: Uint8Array): number {
  const c = decodeConfirmation(bytes);
  if (c.epoch !== view.epoch) throw new EpochError(Reason.unknownEpoch, `confirmation from member ${c.senderIndex} is for epoch ${c.epoch}, not ${view.epoch}`);
  if (!equalBytes(c.tag, confirmTag(view, c.senderIndex))) {
    throw new EpochError(Reason.fork, `member ${c.senderIndex} holds a different commit for epoch ${c.epoch}`);
  }
  return c.senderIndex;
}
