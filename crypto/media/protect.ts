// Protecting one encoded media frame with SFrame (RFC 9605 §4.4.3, §9.4), per frame, per codec.
//
//   sent:      clear prefix || SFrame header || ciphertext || tag
//   metadata:  +---------------+--------------------+      (authenticated, never sent as such)
//              | u8 codec id   | clear prefix       |
//              +---------------+--------------------+
//
// The codec id binds each frame to the kind of track it was sent on, so a VP8 frame relayed on
// an Opus track (or the reverse) fails authentication whatever its bytes. The clear prefix is
// authenticated, so any change to it fails too (checked by tests/unit/framing*.test.ts).
import { type SFrameReceiver } from '../sframe/receiver';
import { type SFrameSender } from '../sframe/sender';
import { type MediaCodec, splitMediaFrame } from './framing';

/** Metadata codec ids. Part of the authenticated data: never renumber. */
export const MEDIA_CODEC_ID = { vp8: 1, opus: 2 } as const satisfies Record<MediaCodec, number>;

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

function joined(prefix: Uint8Array, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + rest.length);
  out.set(prefix);
  out.set(rest, prefix.length);
  return out;
}

/** clear prefix || SFrame(payload), the prefix authenticated as metadata. */
export async function protectMediaFrame(input: ProtectMediaInput): Promise<Uint8Array> {
  const { prefix, rest } = splitMediaFrame(input.codec, input.frame);
  return input.sender.protect(input.kid, rest, mediaMetadata(input.codec, prefix), prefix);
}

/**
 * Reverses protectMediaFrame. Throws (and the frame must be dropped) on any altered byte, unknown
 * KID, replay or truncation; see crypto/sframe/receiver.ts for the error kinds.
 */
export async function unprotectMediaFrame(input: UnprotectMediaInput): Promise<UnprotectedMediaFrame> {
  const { prefix, rest } = splitMediaFrame(input.codec, input.data);
  const opened = await input.receiver.unprotect(rest, mediaMetadata(input.codec, prefix), input.nowMs);
  return { kid: opened.kid, ctr: opened.ctr, frame: joined(prefix, opened.plaintext) };
}
