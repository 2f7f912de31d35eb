// Host commits: the signed, hash-chained record of who is in the room at each epoch.
//
// Commit body (signed by the host identity over u16 len || "sealroom/v1/sig/commit" || body):
//
//   +--------+-------------+------------+----------------+-----------+----------+
//   | u8 = 1 | roomId (16) | u64 epoch  | prevHash (32)  | u8 action | u8 flags |
//   +--------+-------------+------------+----------------+-----------+----------+
//   | signerIdentityPub (32) | u16 hostIndex | secretCommitment (32) | u16 memberCount |
//   +------------------------+---------------+-----------------------+-----------------+
//   | memberCount x member, sorted by index:                                            |
//   |   u16 index (0..63) | identityPub (32) | roomPub (32) | roomKeySig (64)           |
//   |   participantId (16) | u16 n | displayName (n = 1..64, UTF-8)                     |
//   +-----------------------------------------------------------------------------------+
//
//   flags            bit 0 locked, bit 1 ended, other bits zero
//   prevHash         commitHash of the previous commit; 32 zero bytes at epoch 0
//   hostIndex        the host AFTER this commit
//   secretCommitment epoch.ts commitToSecret(epochSecret, roomId, epoch) (an `end` carries one too)
//   participantId    the server's opaque id of the member (its LiveKit identity), base64url-decoded
//
//   SignedCommit = body || Ed25519 signature (64)
//   commitHash   = BLAKE2b-256(u16 len || "sealroom/v1/commit/hash" || SignedCommit)
//
// On the wire (the server reads epoch numbers only; only members read the rest):
//
//   +--------+-----------+-----------------+---------------------------------------------------+
//   | u8 = 2 | u64 epoch | u16 n | handoff | wrap(commitKey(e), "sealroom/v1/epoch/commit-key",  |
//   |        |           |  (n bytes)      |      context = roomId || u64 epoch, SignedCommit)  |
//   +--------+-----------+-----------------+---------------------------------------------------+
//   commitKey(e) = kdf(secret of epoch e, ...)                                         (epoch.ts)
//   handoff      = wrap(handoffKey(e), "sealroom/v1/epoch/handoff-key", roomId || u64 epoch,
//                       commitKey(e)); handoffKey(e) = kdf(secret of epoch e - 1, ...);
//                  empty at epoch 0
//
// A member of epoch e opens its envelope (epoch.ts) and derives commitKey(e). A member of e - 1
// that e drops (removed, or gone) has no envelope, opens the handoff with the secret it holds,
// and so reads the commit that removed it, and nothing after. A guest in the lobby, and anyone
// who only has the link, reads no commit at all (decision 0016 replaced the link-derived key).
// The epoch in clear is routing metadata the server is given anyway; it is also bound as
// associated data, so a wrapper relabelled with another epoch fails authentication.
import { Reader, Writer, concat, fromBase64Url, toBase64Url, utf8 } from './bytes';
import { CodecError, Reason, VerificationError } from './errors';
import { PUBLIC_KEY_BYTES, ROOM_ID_BYTES, SIGNATURE_BYTES, assertLength } from './identity';
import { type Signer } from './signer';
import { labelledHash } from './kdf';
import { Label } from './labels';
import { MAX_MEMBER_INDEX, MAX_NAME_BYTES } from './limits';
import { decodeDisplayName, encodeDisplayName } from './name';
import { commitKey, handoffKey } from './epoch';
import { sodium } from './sodium';
import { checkVersion } from './version';
import { unwrap, wrap } from './wrap';

const COMMIT_VERSION = 1;
const WRAPPED_COMMIT_VERSION = 2;
const HASH_BYTES = 32;
export const PARTICIPANT_ID_BYTES = 16;
export const ZERO_HASH: Uint8Array = new Uint8Array(HASH_BYTES);

/** What a commit does. The wire value is the number. */
export const CommitAction = {
  create: 1,
  admit: 2,
  remove: 3,
  leave: 4,
  lock: 5,
  unlock: 6,
  end: 7,
  transfer: 8,
  rekey: 9,
} as const;
export type CommitAction = keyof typeof CommitAction;

const ACTION_BY_CODE = new Map<number, CommitAction>(Object.entries(CommitAction).map(([name, code]) => [code, name as CommitAction]));
const FLAG_LOCKED = 0b01;
const FLAG_ENDED = 0b10;

export interface CommitMember {
  readonly index: number;
  readonly identityPublicKey: Uint8Array;
  readonly roomPublicKey: Uint8Array;
  readonly roomKeySignature: Uint8Array;
  readonly participantId: Uint8Array;
  readonly displayName: string;
}

export interface CommitBody {
  readonly roomId: Uint8Array;
  readonly epoch: number;
  readonly prevHash: Uint8Array;
  readonly action: CommitAction;
  readonly locked: boolean;
  readonly ended: boolean;
  readonly signer: Uint8Array;
  readonly hostIndex: number;
  readonly secretCommitment: Uint8Array;
  readonly members: readonly CommitMember[];
}

export type UnsignedCommitBody = Omit<CommitBody, 'signer'>;

export interface SignedCommit {
  readonly body: CommitBody;
  readonly signature: Uint8Array;
  /** body || signature: what is wrapped, and what the hash covers. */
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
}

export function encodeCommitBody(body: CommitBody): Uint8Array {
  assertLength(body.roomId, ROOM_ID_BYTES, 'room id');
  assertLength(body.prevHash, HASH_BYTES, 'previous commit hash');
  assertLength(body.signer, PUBLIC_KEY_BYTES, 'signer identity key');
  assertLength(body.secretCommitment, HASH_BYTES, 'secret commitment');
  assertEpoch(body.epoch);
  assertIndex(body.hostIndex, 'host index');
  if (body.members.length > MAX_MEMBER_INDEX + 1) throw new CodecError(Reason.outOfRange, `commit lists ${body.members.length} members`);
  const w = new Writer()
    .u8(COMMIT_VERSION)
    .bytes(body.roomId)
    .u64(body.epoch)
    .bytes(body.prevHash)
    .u8(CommitAction[body.action])
    .u8((body.locked ? FLAG_LOCKED : 0) | (body.ended ? FLAG_ENDED : 0))
    .bytes(body.signer)
    .u16(body.hostIndex)
    .bytes(body.secretCommitment)
    .u16(body.members.length);
  for (const m of body.members) {
    assertIndex(m.index, 'member index');
    assertLength(m.identityPublicKey, PUBLIC_KEY_BYTES, 'member identity key');
    assertLength(m.roomPublicKey, PUBLIC_KEY_BYTES, 'member room key');
    assertLength(m.roomKeySignature, SIGNATURE_BYTES, 'member room-key signature');
    assertLength(m.participantId, PARTICIPANT_ID_BYTES, 'participant id');
    w.u16(m.index).bytes(m.identityPublicKey).bytes(m.roomPublicKey).bytes(m.roomKeySignature).bytes(m.participantId);
    w.vec16(encodeDisplayName(m.displayName));
  }
  return w.finish();
}

/** Parse a commit body. Checks field ranges only; chain.ts judges whether it is acceptable. */
export function decodeCommitBody(bytes: Uint8Array): CommitBody {
  const r = new Reader(bytes, 'commit');
  checkVersion(r.u8(), COMMIT_VERSION, 'commit');
  const roomId = r.bytes(ROOM_ID_BYTES);
  const epoch = readEpoch(r);
  const prevHash = r.bytes(HASH_BYTES);
  const action = readAction(r.u8());
  const { locked, ended } = readFlags(r.u8());
  const signer = r.bytes(PUBLIC_KEY_BYTES);
  const hostIndex = readIndex(r, 'host index');
  const secretCommitment = r.bytes(HASH_BYTES);
  const count = r.u16();
  if (count > MAX_MEMBER_INDEX + 1) throw new CodecError(Reason.outOfRange, `commit lists ${count} members`);
  const members: CommitMember[] = [];
  for (let i = 0; i < count; i++) {
    const index = readIndex(r, 'member index');
    const identityPublicKey = r.bytes(PUBLIC_KEY_BYTES);
    const roomPublicKey = r.bytes(PUBLIC_KEY_BYTES);
    const roomKeySignature = r.bytes(SIGNATURE_BYTES);
    const participantId = r.bytes(PARTICIPANT_ID_BYTES);
    const displayName = decodeDisplayName(r.vec16(MAX_NAME_BYTES));
    members.push({ index, identityPublicKey, roomPublicKey, roomKeySignature, participantId, displayName });
  }
  r.end();
  return { roomId, epoch, prevHash, action, locked, ended, signer, hostIndex, secretCommitment, members };
}

function signatureMessage(body: Uint8Array): Uint8Array {
  return new Writer().vec16(utf8(Label.sigCommit)).bytes(body).finish();
}

export function commitHash(signedBytes: Uint8Array): Uint8Array {
  return labelledHash(Label.commitHash, signedBytes, HASH_BYTES);
}

/** Sign a body as `identity` (which becomes the body's signer). */
export async function signCommit(identity: Signer, unsigned: UnsignedCommitBody): Promise<SignedCommit> {
  const body: CommitBody = { ...unsigned, signer: identity.publicKey };
  const encoded = encodeCommitBody(body);
  const signature = await identity.sign(signatureMessage(encoded));
  const bytes = concat(encoded, signature);
  return { body, signature, bytes, hash: commitHash(bytes) };
}

/** Split and parse a SignedCommit. Does NOT check the signature: see verifyCommitSignature. */
export function decodeSignedCommit(bytes: Uint8Array): SignedCommit {
  if (bytes.length < SIGNATURE_BYTES) throw new CodecError(Reason.truncated, 'signed commit is truncated');
  const encoded = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
  const signature = bytes.subarray(bytes.length - SIGNATURE_BYTES);
  return { body: decodeCommitBody(encoded), signature, bytes, hash: commitHash(bytes) };
}

/** Throws VerificationError bad-signature unless the body's own signer signed it. */
export function verifyCommitSignature(signed: SignedCommit): void {
  const encoded = signed.bytes.subarray(0, signed.bytes.length - SIGNATURE_BYTES);
  if (!sodium().crypto_sign_verify_detached(signed.signature, signatureMessage(encoded), signed.body.signer)) {
    throw new VerificationError(Reason.badSignature, `commit for epoch ${signed.body.epoch} is not signed by its stated signer`);
  }
}

function wrapContext(roomId: Uint8Array, epoch: number): Uint8Array {
  return new Writer().bytes(roomId).u64(epoch).finish();
}

/** Wrap for the members of its epoch (`epochSecret`) and, through the handoff, of the one before. */
export function wrapCommit(signed: SignedCommit, epochSecret: Uint8Array, previousSecret: Uint8Array | null): Uint8Array {
  const { roomId, epoch } = signed.body;
  const context = wrapContext(roomId, epoch);
  const key = commitKey(epochSecret, roomId, epoch);
  const handoff = previousSecret === null ? new Uint8Array(0) : wrap(handoffKey(previousSecret, roomId, epoch), Label.epochHandoffKey, context, key);
  const inner = wrap(key, Label.epochCommitKey, context, signed.bytes);
  return new Writer().u8(WRAPPED_COMMIT_VERSION).u64(epoch).vec16(handoff).bytes(inner).finish();
}

interface WrappedParts {
  readonly epoch: number;
  readonly handoff: Uint8Array;
  readonly inner: Uint8Array;
}

function splitWrapped(wrapped: Uint8Array): WrappedParts {
  const r = new Reader(wrapped, 'wrapped commit');
  checkVersion(r.u8(), WRAPPED_COMMIT_VERSION, 'wrapped commit');
  const epoch = readEpoch(r);
  const handoff = r.vec16(0xffff);
  return { epoch, handoff, inner: r.bytes(r.remaining) };
}

/** The epoch a wrapped commit is labelled with (readable without keys, like the server does). */
export function wrappedCommitEpoch(wrapped: Uint8Array): number {
  return splitWrapped(wrapped).epoch;
}

/** The commit key of a wrapped commit, through its handoff, for a member holding the previous epoch's secret. */
export function commitKeyFromHandoff(previousSecret: Uint8Array, roomId: Uint8Array, wrapped: Uint8Array): Uint8Array {
  const { epoch, handoff } = splitWrapped(wrapped);
  if (handoff.length === 0) throw new VerificationError(Reason.missingEnvelope, `the commit for epoch ${epoch} carries no handoff`);
  return unwrap(handoffKey(previousSecret, roomId, epoch), Label.epochHandoffKey, wrapContext(roomId, epoch), handoff);
}

/** Unwrap under the commit key and parse. Throws VersionError, VerificationError auth-failed, or CodecError. Signature NOT checked. */
export function unwrapCommit(key: Uint8Array, roomId: Uint8Array, wrapped: Uint8Array): SignedCommit {
  const { epoch, inner } = splitWrapped(wrapped);
  const signed = decodeSignedCommit(unwrap(key, Label.epochCommitKey, wrapContext(roomId, epoch), inner));
  if (signed.body.epoch !== epoch) {
    throw new VerificationError(Reason.authFailed, `commit for epoch ${signed.body.epoch} was wrapped as epoch ${epoch}`);
  }
  return signed;
}

/** The 16 bytes of a server participant id (22 base64url characters). */
export function participantIdBytes(text: string): Uint8Array {
  const bytes = text.length === 22 ? fromBase64Url(text) : new Uint8Array(0);
  if (bytes.length !== PARTICIPANT_ID_BYTES) throw new CodecError(Reason.malformed, 'participant id must be 22 base64url characters');
  return bytes;
}

export function participantIdText(bytes: Uint8Array): string {
  assertLength(bytes, PARTICIPANT_ID_BYTES, 'participant id');
  return toBase64Url(bytes);
}

// --- small field checks

/** A u64 epoch, refused beyond 2^53 - 1 (epochs are JavaScript numbers everywhere else). */
export function readEpoch(r: Reader): number {
  const epoch = r.u64();
  if (epoch > BigInt(Number.MAX_SAFE_INTEGER)) throw new CodecError(Reason.outOfRange, 'epoch is beyond 2^53 - 1');
  return Number(epoch);
}

function readIndex(r: Reader, what: string): number {
  const index = r.u16();
  if (index > MAX_MEMBER_INDEX) throw new CodecError(Reason.outOfRange, `${what} ${index} is above ${MAX_MEMBER_INDEX}`);
  return index;
}

function readAction(code: number): CommitAction {
  const action = ACTION_BY_CODE.get(code);
  if (action === undefined) throw new CodecError(Reason.malformed, `unknown commit action ${code}`);
  return action;
}

function readFlags(flags: number): { locked: boolean; ended: boolean } {
  if ((flags & ~(FLAG_LOCKED | FLAG_ENDED)) !== 0) throw new CodecError(Reason.malformed, `unknown commit flags ${flags}`);
  return { locked: (flags & FLAG_LOCKED) !== 0, ended: (flags & FLAG_ENDED) !== 0 };
}

function assertEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new CodecError(Reason.outOfRange, `epoch ${epoch} is out of range`);
}

function assertIndex(index: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index > MAX_MEMBER_INDEX) throw new CodecError(Reason.outOfRange, `${what} ${index} is out of range`);
}
