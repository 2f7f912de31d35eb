// The lobby record: all that a link holder who is not a member may learn about the room, which is
// whom to knock to. Member lists travel only inside commits, which only members can open
// (commit.ts); this record names the host now, the host's room key that knocks are sealed to, and
// the chain of host hand-overs from the host the link names to the host now, so a guest can check
// that the key is the host's without reading any commit.
//
// Hand-over (signed by the outgoing host when it commits a transfer):
//
//   +--------+-------------+-----------+--------------+------------+---------------+
//   | u8 = 1 | roomId (16) | u64 epoch | fromPub (32) | toPub (32) | signature (64) |
//   +--------+-------------+-----------+--------------+------------+---------------+
//   signature = Ed25519(from, u16 len || "sealroom/v1/sig/host-handover" || the 89 bytes before it)
//   epoch     = the epoch of the transfer commit
//
// Record, then wrap(lobbyKey, "sealroom/v1/link/lobby-key", roomId, record) (wrap.ts):
//
//   +--------+-------------+----------------+--------------------+-----------------+
//   | u8 = 1 | roomId (16) | hostPub (32)   | hostRoomPub (32)   | roomKeySig (64) |
//   +--------+-------------+----------------+--------------------+-----------------+
//   | u16 n (0..64) | n x hand-over (153 bytes each), oldest first                  |
//   +-------------------------------------------------------------------------------+
//
// What a guest checks (openLobbyRecord): it unwraps under the link's lobby key; the first
// hand-over is signed by the identity whose fingerprint the link holds, each later one by the
// identity the one before named, at strictly rising epochs; the host is the last one named (the
// link's host when there is none); the room key is signed by that host for this room; and a
// record never drops a hand-over the guest already holds (a server that serves an older record
// is refused). The server stores the record as opaque bytes and cannot forge it. What a link holder
// learns from it: the identity keys of the hosts, and nothing about anyone else.
import { Reader, Writer, equalBytes, utf8 } from './bytes';
import { CodecError, EpochError, MembershipError, Reason, VerificationError } from './errors';
import { PUBLIC_KEY_BYTES, ROOM_ID_BYTES, SIGNATURE_BYTES, assertLength, fingerprint, verifyRoomKey } from './identity';
import { Label } from './labels';
import { MAX_HANDOVERS } from './limits';
import { type Signer } from './signer';
import { sodium } from './sodium';
import { checkVersion } from './version';
import { unwrap, wrap } from './wrap';

const HANDOVER_VERSION = 1;
const RECORD_VERSION = 1;

export interface HandOver {
  readonly epoch: number;
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly signature: Uint8Array;
}

export interface LobbyRecord {
  readonly hostIdentityPublicKey: Uint8Array;
  readonly hostRoomPublicKey: Uint8Array;
  readonly roomKeySignature: Uint8Array;
  readonly handovers: readonly HandOver[];
}

/** What a record is checked against: the room and the link's host fingerprint. */
export interface LobbyRoom {
  readonly roomId: Uint8Array;
  readonly hostFingerprint: Uint8Array;
  readonly lobbyKey: Uint8Array;
}

function handoverSigned(roomId: Uint8Array, epoch: number, from: Uint8Array, to: Uint8Array): Uint8Array {
  return new Writer().u8(HANDOVER_VERSION).bytes(roomId).u64(epoch).bytes(from).bytes(to).finish();
}

function signatureMessage(signed: Uint8Array): Uint8Array {
  return new Writer().vec16(utf8(Label.sigHostHandover)).bytes(signed).finish();
}

/** The outgoing host's signature handing the room to `to` at the transfer commit's epoch. */
export async function signHandOver(from: Signer, roomId: Uint8Array, epoch: number, to: Uint8Array): Promise<HandOver> {
  assertLength(to, PUBLIC_KEY_BYTES, 'incoming host identity key');
  const signed = handoverSigned(roomId, epoch, from.publicKey, to);
  return { epoch, from: from.publicKey, to, signature: await from.sign(signatureMessage(signed)) };
}

export function sealLobbyRecord(room: LobbyRoom, record: LobbyRecord): Uint8Array {
  if (record.handovers.length > MAX_HANDOVERS) throw new CodecError(Reason.outOfRange, `${record.handovers.length} hand-overs, above ${MAX_HANDOVERS}`);
  const w = new Writer()
    .u8(RECORD_VERSION)
    .bytes(room.roomId)
    .bytes(record.hostIdentityPublicKey)
    .bytes(record.hostRoomPublicKey)
    .bytes(record.roomKeySignature)
    .u16(record.handovers.length);
  for (const h of record.handovers) w.bytes(handoverSigned(room.roomId, h.epoch, h.from, h.to)).bytes(h.signature);
  return wrap(room.lobbyKey, Label.lobbyKey, room.roomId, w.finish());
}

/**
 * Unwrap, decode and verify a lobby record; `held` is the record this party accepted before, if
 * any. Throws VerificationError (auth-failed, wrong-room, host-mismatch, bad-signature),
 * EpochError out-of-order (a hand-over dropped or rewritten), or CodecError.
 */
export function openLobbyRecord(room: LobbyRoom, wrapped: Uint8Array, held?: LobbyRecord): LobbyRecord {
  const r = new Reader(unwrap(room.lobbyKey, Label.lobbyKey, room.roomId, wrapped), 'lobby record');
  checkVersion(r.u8(), RECORD_VERSION, 'lobby record');
  if (!equalBytes(r.bytes(ROOM_ID_BYTES), room.roomId)) throw new VerificationError(Reason.wrongRoom, 'the lobby record is for another room');
  const hostIdentityPublicKey = r.bytes(PUBLIC_KEY_BYTES);
  const hostRoomPublicKey = r.bytes(PUBLIC_KEY_BYTES);
  const roomKeySignature = r.bytes(SIGNATURE_BYTES);
  const count = r.u16();
  if (count > MAX_HANDOVERS) throw new CodecError(Reason.outOfRange, `${count} hand-overs, above ${MAX_HANDOVERS}`);
  const handovers: HandOver[] = [];
  for (let i = 0; i < count; i++) {
    checkVersion(r.u8(), HANDOVER_VERSION, 'host hand-over');
    if (!equalBytes(r.bytes(ROOM_ID_BYTES), room.roomId)) throw new VerificationError(Reason.wrongRoom, 'a hand-over is for another room');
    const epoch = Number(r.u64());
    const from = r.bytes(PUBLIC_KEY_BYTES);
    const to = r.bytes(PUBLIC_KEY_BYTES);
    handovers.push({ epoch, from, to, signature: r.bytes(SIGNATURE_BYTES) });
  }
  r.end();
  const record = { hostIdentityPublicKey, hostRoomPublicKey, roomKeySignature, handovers };
  checkHandOvers(room, handovers);
  const last = handovers.at(-1);
  if (last === undefined ? !equalBytes(fingerprint(hostIdentityPublicKey), room.hostFingerprint) : !equalBytes(last.to, hostIdentityPublicKey)) {
    throw new VerificationError(Reason.hostMismatch, 'the lobby record names another host than its hand-overs lead to');
  }
  verifyRoomKey(hostIdentityPublicKey, room.roomId, hostRoomPublicKey, roomKeySignature);
  if (held !== undefined) checkExtends(held.handovers, handovers);
  return record;
}

function checkHandOvers(room: LobbyRoom, handovers: readonly HandOver[]): void {
  let previous: HandOver | undefined;
  for (const h of handovers) {
    if (!Number.isSafeInteger(h.epoch) || h.epoch < 1 || (previous !== undefined && h.epoch <= previous.epoch)) {
      throw new EpochError(Reason.outOfOrder, `hand-over at epoch ${h.epoch} is out of order`);
    }
    const fromOk = previous === undefined ? equalBytes(fingerprint(h.from), room.hostFingerprint) : equalBytes(h.from, previous.to);
    if (!fromOk) throw new MembershipError(Reason.notHost, `hand-over at epoch ${h.epoch} is not made by the host of that time`);
    if (!sodium().crypto_sign_verify_detached(h.signature, signatureMessage(handoverSigned(room.roomId, h.epoch, h.from, h.to)), h.from)) {
      throw new VerificationError(Reason.badSignature, `hand-over at epoch ${h.epoch} is not signed by its stated host`);
    }
    previous = h;
  }
}

function checkExtends(held: readonly HandOver[], now: readonly HandOver[]): void {
  const rewritten = held.some((h, i) => {
    const n = now[i];
    return n === undefined || n.epoch !== h.epoch || !equalBytes(n.signature, h.signature);
  });
  if (rewritten) throw new EpochError(Reason.outOfOrder, 'the lobby record drops or rewrites a hand-over this page holds');
}

/**
 * Whom a commit of `epoch` must be signed by, and whom it must name as host, by the hand-overs:
 * `before` is the host in office when the commit was made (undefined: the link's host, known only
 * by fingerprint), `after` the host it must leave in office.
 */
export function hostsAt(handovers: readonly HandOver[], epoch: number): { before: Uint8Array | undefined; after: Uint8Array | undefined; handover: boolean } {
  let before: Uint8Array | undefined;
  let at: HandOver | undefined;
  for (const h of handovers) {
    if (h.epoch < epoch) before = h.to;
    else if (h.epoch === epoch) at = h;
  }
  return { before, after: at?.to ?? before, handover: at !== undefined };
}

/** The record after a transfer at `epoch` to `to` (whose room key the member list holds). */
export async function handOverRecord(from: Signer, roomId: Uint8Array, epoch: number, record: LobbyRecord, to: { identityPublicKey: Uint8Array; roomPublicKey: Uint8Array; roomKeySignature: Uint8Array }): Promise<LobbyRecord> {
  if (record.handovers.length >= MAX_HANDOVERS) throw new MembershipError(Reason.roomFull, `the room has been handed over ${MAX_HANDOVERS} times, the most a lobby record holds`);
  return {
    hostIdentityPublicKey: to.identityPublicKey,
    hostRoomPublicKey: to.roomPublicKey,
    roomKeySignature: to.roomKeySignature,
    handovers: [...record.handovers, await signHandOver(from, roomId, epoch, to.identityPublicKey)],
  };
}
