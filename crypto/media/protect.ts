// Protecting one encoded media frame with SFrame (RFC 9605 §4.4.3, §9.4), per frame, per codec.
//
//   sent:      clear prefix || SFrame header || ciphertext || tag
//   plaintext: the whole encoded frame, clear prefix included
//   metadata:  +---------------+--------------------+      (authenticated, never sent as such)
//              | u8 codec id   | clear prefix       |
//              +---------------+--------------------+
//
// The codec id binds each frame to the kind of track it was sent on, so a VP8 frame relayed on
// an Opus track (or the reverse) fails authentication whatever its bytes. The clear prefix is
// authenticated, so any change to it fails too (checked by tests/unit/framing*.test.ts).
//
// The prefix is encrypted as well as sent in clear (3 bytes a VP8 delta frame, 10 a key frame), so
// the receiver's plaintext is the encoded frame itself: no second buffer and copy per received
// frame (decision 0014). The receiver checks that the encrypted prefix equals the clear one; only a
// key holder can make them differ, and such a frame is refused, not shown.
import { Reason, VerificationError } from '../errors';
import { type ParsedSFrame, type SFrameReceiver } from '../sframe/receiver';
import { type SFrameSender } from '../sframe/sender';
import { type MediaCodec, type SplitFrame, splitMediaFrame } from './framing';

/**
 * Metadata codec ids, part of the authenticated data, so each also names the framing: never
 * renumber, retire. 1 was VP8 with only the bytes after the clear prefix encrypted; an old page's
 * frames now fail authentication here (and ours there) instead of decoding into garbage. Opus has
 * no prefix, so its framing did not change.
 */
export const MEDIA_CODEC_ID = { vp8: 3, opus: 2 } as const satisfies Record<MediaCodec, number>;

export interface ProtectMediaInput {
  readonly sender: SFrameSender;
  /** KID of the key this frame uses (the caller's epoch/sender layout). */
  readonly kid: bigint;
  readonly codec: MediaCodec;
  /** The encoded frame as the encoder produced it. */
  readonly frame: Uint8Array;
}

export interface UnprotectMediaInput {
  readonly receiver: SFrameReceiver;
  /** The codec of the track the frame arrived on (from local state, not from the SFU). */
  readonly codec: MediaCodec;
  /** clear prefix || SFrame, as received. */
  readonly data: Uint8Array;
  /** The receiver's clock in ms, for its replay windows' forward bound (receiver.ts). */
  readonly nowMs?: number;
}

export interface UnprotectedMediaFrame {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** The encoded frame exactly as the sender's encoder produced it. */
  readonly frame: Uint8Array;
}

function mediaMetadata(codec: MediaCodec, prefix: Uint8Array): Uint8Array {
  const metadata = new Uint8Array(1 + prefix.length);
  metadata[0] = MEDIA_CODEC_ID[codec];
  metadata.set(prefix, 1);
  return metadata;
}

/** The opened frame, once its first bytes are shown to be the clear prefix it came behind. */
function checkedFrame(prefix: Uint8Array, plaintext: Uint8Array): Uint8Array {
  let same = plaintext.length >= prefix.length;
  for (let i = 0; same && i < prefix.length; i++) same = plaintext[i] === prefix[i];
  if (!same) throw new VerificationError(Reason.prefixMismatch, `the frame's ${prefix.length}-byte clear prefix differs from the start of what its sender encrypted`);
  return plaintext;
}

/** clear prefix || SFrame(whole frame), the prefix authenticated as metadata. */
export function protectMediaFrame(input: ProtectMediaInput): Promise<Uint8Array> {
  let split: SplitFrame;
  try {
    split = splitMediaFrame(input.codec, input.frame);
  } catch (error) {
    return Promise.reject(error);
  }
  return input.sender.protect(input.kid, input.frame, mediaMetadata(input.codec, split.prefix), split.prefix);
}

/** A received frame split at its clear prefix, its SFrame header parsed once (parseMediaFrame). */
export interface ReceivedMediaFrame {
  /** The KID its header names (held or not). */
  readonly kid: bigint;
  readonly codec: MediaCodec;
  readonly prefix: Uint8Array;
  /** The SFrame part: header || ciphertext || tag. */
  readonly sframe: Uint8Array;
  readonly parsed: ParsedSFrame;
}

/**
 * Step 1 of unprotectMediaFrame: splits `data` (clear prefix || SFrame) and parses its header.
 * Throws CodecError if either is malformed; checks nothing else, so the caller can check the KID
 * (e.g. against the track's owner) before any tag is tried.
 */
export function parseMediaFrame(receiver: SFrameReceiver, codec: MediaCodec, data: Uint8Array): ReceivedMediaFrame {
  const { prefix, rest } = splitMediaFrame(codec, data);
  const parsed = receiver.parse(rest);
  return { kid: parsed.kid, codec, prefix, sframe: rest, parsed };
}

/**
 * Step 2: opens a parsed frame (unknown KID, replay, any altered byte: rejected, see
 * crypto/sframe/receiver.ts; a sender's encrypted prefix that differs from its clear one:
 * VerificationError(prefix-mismatch)). The encoded frame comes back as the sender's encoder
 * produced it, WebCrypto's output itself, not a copy.
 */
export function openMediaFrame(receiver: SFrameReceiver, received: ReceivedMediaFrame, nowMs = 0): Promise<Uint8Array> {
  const { prefix } = received;
  return receiver.open(received.parsed, received.sframe, mediaMetadata(received.codec, prefix), nowMs, (plaintext) => checkedFrame(prefix, plaintext));
}

/**
 * Reverses protectMediaFrame. Throws (and the frame must be dropped) on any altered byte, unknown
 * KID, replay or truncation; see crypto/sframe/receiver.ts for the error kinds.
 */
export function unprotectMediaFrame(input: UnprotectMediaInput): Promise<UnprotectedMediaFrame> {
  let received: ReceivedMediaFrame;
  try {
    received = parseMediaFrame(input.receiver, input.codec, input.data);
  } catch (error) {
    return Promise.reject(error);
  }
  const { prefix } = received;
  return input.receiver.open(received.parsed, received.sframe, mediaMetadata(input.codec, prefix), input.nowMs ?? 0, (plaintext) => ({
    kid: received.kid,
    ctr: received.parsed.ctr,
    frame: checkedFrame(prefix, plaintext),
  }));
}
