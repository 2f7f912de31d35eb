// In-call application messages (rekey requests now; chat and media state use the same format):
// signed by the sender's identity key, so no other member can speak for it, and sealed under the
// epoch's app-message key, so the server and anyone outside the epoch read nothing.
//
// Signed part:
//
//   +--------+---------+-----------+------------------+---------+---------------------+
//   | u8 = 1 | u8 type | u64 epoch | u16 senderIndex  | u64 seq | u16 n | body (n)     |
//   +--------+---------+-----------+------------------+---------+---------------------+
//   || Ed25519 signature (64) by the sender's identity key over
//      u16 len || "sealroom/v1/sig/app-message" || roomId (16) || the signed part
//
// On the wire:
//
//   +--------+-----------+--------------------------------------------------------------+
//   | u8 = 1 | u64 epoch | wrap(appMessageKey(epoch), "sealroom/v1/epoch/app-message-key",|
//   |        |           |      context = roomId || u64 epoch, signed part || signature) |
//   +--------+-----------+--------------------------------------------------------------+
//
// The receiver looks up the epoch's key and member list, unwraps, checks that the inner epoch
// matches the outer one, that the sender index is a member of that epoch, and the signature with
// that member's identity key. `seq` must grow per sender identity (AppMessageReplay): a replayed
// or reordered message is refused. Senders pick seq from a clock-seeded counter so it also grows
// across page reloads.
import { Reader, Writer, toBase64Url, utf8 } from './bytes';
import { readEpoch } from './commit';
import { CodecError, ReplayError, Reason, VerificationError } from './errors';
import { ROOM_ID_BYTES, SIGNATURE_BYTES, assertLength } from './identity';
import { Label } from './labels';
import { MAX_APP_BODY_BYTES } from './limits';
import { type Signer } from './signer';
import { sodium } from './sodium';
import { checkVersion } from './version';
import { unwrap, wrap } from './wrap';

const APP_MESSAGE_VERSION = 1;

export const AppMessageType = {
  /** Retired: page lives made it unnecessary (decision 0010); still parsed, never granted. */
  rekeyRequest: 1,
  chat: 2,
  mediaState: 3,
  /** Body: the sender's epoch confirmation (crypto/confirm.ts) for the message's epoch. */
  epochConfirm: 4,
  /** Body: the sender page's media signing key and page life (crypto/media-batch.ts, [M1]). */
  mediaKey: 5,
} as const;
export type AppMessageType = keyof typeof AppMessageType;
const TYPE_BY_CODE = new Map<number, AppMessageType>(Object.entries(AppMessageType).map(([name, code]) => [code, name as AppMessageType]));

export interface AppMessage {
  readonly type: AppMessageType;
  readonly epoch: number;
  readonly senderIndex: number;
  readonly seq: bigint;
  readonly body: Uint8Array;
}

/** What the receiver knows about an epoch it holds. */
export interface AppEpoch {
  readonly appKey: Uint8Array;
  /** Identity key of the member at each index in that epoch. */
  identityOf(index: number): Uint8Array | undefined;
}

function context(roomId: Uint8Array, epoch: number): Uint8Array {
  assertLength(roomId, ROOM_ID_BYTES, 'room id');
  return new Writer().bytes(roomId).u64(epoch).finish();
}

function signatureInput(roomId: Uint8Array, signedPart: Uint8Array): Uint8Array {
  return new Writer().vec16(utf8(Label.sigAppMessage)).bytes(roomId).bytes(signedPart).finish();
}

function encodeSignedPart(m: AppMessage): Uint8Array {
  if (m.body.length > MAX_APP_BODY_BYTES) throw new CodecError(Reason.fieldTooLong, `app message body of ${m.body.length} bytes`);
  return new Writer().u8(APP_MESSAGE_VERSION).u8(AppMessageType[m.type]).u64(m.epoch).u16(m.senderIndex).u64(m.seq).vec16(m.body).finish();
}

export async function sealAppMessage(appKey: Uint8Array, roomId: Uint8Array, identity: Signer, message: AppMessage): Promise<Uint8Array> {
  const signedPart = encodeSignedPart(message);
  const signature = await identity.sign(signatureInput(roomId, signedPart));
  const inner = new Writer().bytes(signedPart).bytes(signature).finish();
  return new Writer().u8(APP_MESSAGE_VERSION).u64(message.epoch).bytes(wrap(appKey, Label.appMessageKey, context(roomId, message.epoch), inner)).finish();
}

/** The epoch a sealed message names in clear (to pick the key). */
export function appMessageEpoch(sealed: Uint8Array): number {
  const r = new Reader(sealed, 'app message');
  checkVersion(r.u8(), APP_MESSAGE_VERSION, 'app message');
  return readEpoch(r);
}

/** Open and verify. Throws CodecError, VersionError or VerificationError (auth-failed, unknown-sender, bad-signature). */
export function openAppMessage(epoch: AppEpoch, roomId: Uint8Array, sealed: Uint8Array): AppMessage {
  const outer = new Reader(sealed, 'app message');
  checkVersion(outer.u8(), APP_MESSAGE_VERSION, 'app message');
  const outerEpoch = readEpoch(outer);
  const inner = unwrap(epoch.appKey, Label.appMessageKey, context(roomId, outerEpoch), outer.bytes(outer.remaining));
  if (inner.length < SIGNATURE_BYTES) throw new CodecError(Reason.truncated, 'app message is truncated');
  const signedPart = inner.subarray(0, inner.length - SIGNATURE_BYTES);
  const signature = inner.subarray(inner.length - SIGNATURE_BYTES);
  const r = new Reader(signedPart, 'app message');
  checkVersion(r.u8(), APP_MESSAGE_VERSION, 'app message');
  const type = TYPE_BY_CODE.get(r.u8());
  if (type === undefined) throw new CodecError(Reason.malformed, 'unknown app message type');
  const messageEpoch = readEpoch(r);
  const senderIndex = r.u16();
  const seq = r.u64();
  const body = r.vec16(MAX_APP_BODY_BYTES);
  r.end();
  if (messageEpoch !== outerEpoch) throw new VerificationError(Reason.authFailed, 'app message epoch does not match its wrapper');
  const identityKey = epoch.identityOf(senderIndex);
  if (identityKey === undefined) throw new VerificationError(Reason.unknownSender, `no member at index ${senderIndex} in epoch ${messageEpoch}`);
  if (!sodium().crypto_sign_verify_detached(signature, signatureInput(roomId, signedPart), identityKey)) {
    throw new VerificationError(Reason.badSignature, 'app message is not signed by its sender');
  }
  return { type, epoch: messageEpoch, senderIndex, seq, body };
}

/** Refuses a message whose seq is not above the last one accepted from the same identity. */
export class AppMessageReplay {
  readonly #last = new Map<string, bigint>();

  accept(senderIdentityKey: Uint8Array, seq: bigint): void {
    const who = toBase64Url(senderIdentityKey);
    const last = this.#last.get(who);
    if (last !== undefined && seq <= last) throw new ReplayError(Reason.replayed, `app message ${seq} is not after ${last}`);
    this.#last.set(who, seq);
  }
}
