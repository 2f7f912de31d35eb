// One small error hierarchy for crypto/. Every error carries a machine-readable `reason`.
// Messages may name a participant index, an epoch or a KID; they never contain secret bytes.

export const Reason = {
  // codec
  truncated: 'truncated',
  trailingBytes: 'trailing-bytes',
  malformed: 'malformed',
  unknownVersion: 'unknown-version',
  oldVersion: 'old-version',
  fieldTooLong: 'field-too-long',
  // verification
  badSignature: 'bad-signature',
  badMac: 'bad-mac',
  authFailed: 'auth-failed',
  wrongRoom: 'wrong-room',
  wrongKey: 'wrong-key',
  wrongParticipant: 'wrong-participant',
  badLinkSecret: 'bad-link-secret',
  hostMismatch: 'host-mismatch',
  secretMismatch: 'secret-mismatch',
  missingEnvelope: 'missing-envelope',
  prefixMismatch: 'prefix-mismatch',
  // epochs and membership
  replayed: 'replayed',
  tooFarAhead: 'too-far-ahead',
  outOfOrder: 'out-of-order',
  gap: 'gap',
  fork: 'fork',
  selfAltered: 'self-altered',
  selfDropped: 'self-dropped',
  ghostMember: 'ghost-member',
  duplicateMember: 'duplicate-member',
  actionMismatch: 'action-mismatch',
  notMember: 'not-member',
  notHost: 'not-host',
  roomEnded: 'room-ended',
  roomFull: 'room-full',
  unknownEpoch: 'unknown-epoch',
  unknownSender: 'unknown-sender',
  // SFrame
  unknownSuite: 'unknown-suite',
  counterExhausted: 'counter-exhausted',
  badKeyLength: 'bad-key-length',
  outOfRange: 'out-of-range',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export class SealroomCryptoError extends Error {
  readonly reason: Reason;
  constructor(reason: Reason, message: string) {
    super(message);
    this.reason = reason;
    this.name = new.target.name;
  }
}

/** Bytes that do not parse: truncated, trailing, malformed, wrong length. */
export class CodecError extends SealroomCryptoError {}
/** A version byte this code does not speak (unknown, or retired). */
export class VersionError extends SealroomCryptoError {}
/** A signature, MAC or AEAD tag that does not verify, or a binding that does not match. */
export class VerificationError extends SealroomCryptoError {}
/** A frame or message seen before (replay window, commit replay). */
export class ReplayError extends SealroomCryptoError {}
/** A commit that does not extend the chain this member holds. */
export class EpochError extends SealroomCryptoError {}
/** A commit whose member list is unacceptable to this member. */
export class MembershipError extends SealroomCryptoError {}
/** Parameters out of range: unknown suite, wrong key length, counter exhausted. */
export class ParameterError extends SealroomCryptoError {}
/** No key is held for a frame's SFrame KID (not received yet, already dropped, or never sent). */
export class UnknownKeyError extends SealroomCryptoError {}
