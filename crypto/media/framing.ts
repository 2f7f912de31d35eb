// Which bytes of an encoded media frame stay in clear, and how a frame splits around them.
//
//   sent frame:  +--------------------+------------------------------------------------+
//                | clear prefix (0-10)| SFrame: header (1-17) | ciphertext | tag (Nt) |
//                +--------------------+------------------------------------------------+
//
// The prefix is what the RTP packetizer and the SFU must read; it is authenticated as SFrame
// metadata (see protect.ts). The receiver finds the prefix length in the clear bytes themselves
// (VP8: the key-frame bit), never in anything the SFU could set.
//
// VP8 (RFC 6386 §9.1): byte 0 bit 0 is the inverse key-frame flag (0 = key frame). A key frame
// starts with a 3-byte frame tag, the start code 9d 01 2a and 4 bytes of width/height; an inter
// (delta) frame with the 3-byte frame tag alone. Opus (RFC 6716): nothing stays in clear.
import { CodecError, ParameterError, Reason } from '../errors';

const MEDIA_CODECS = ['vp8', 'opus'] as const;
export type MediaCodec = (typeof MEDIA_CODECS)[number];

/**
 * Every byte a protected media frame carries in clear, in one table (SECURITY.md prints it).
 * Bytes not listed here are ciphertext or tag.
 */
export const CLEAR_BYTES = [
  {
    codec: 'vp8',
    frame: 'key',
    position: 'frame start',
    minBytes: 10,
    maxBytes: 10,
    contents: 'frame tag (key-frame bit, version, show_frame, first-partition size: 3 bytes), start code 9d 01 2a (3 bytes), 14-bit width + 2-bit scale (2 bytes), 14-bit height + 2-bit scale (2 bytes)',
    authenticated: 'as SFrame metadata',
    spec: 'RFC 6386 §9.1',
  },
  {
    codec: 'vp8',
    frame: 'delta',
    position: 'frame start',
    minBytes: 3,
    maxBytes: 3,
    contents: 'frame tag (key-frame bit, version, show_frame, first-partition size)',
    authenticated: 'as SFrame metadata',
    spec: 'RFC 6386 §9.1',
  },
  {
    codec: 'opus',
    frame: 'any',
    position: 'frame start',
    minBytes: 0,
    maxBytes: 0,
    contents: 'none (the TOC byte is encrypted)',
    authenticated: 'n/a',
    spec: 'RFC 6716 §3.1',
  },
  {
    codec: 'any',
    frame: 'any',
    position: 'after the clear prefix',
    minBytes: 1,
    maxBytes: 17,
    contents: 'SFrame header: config byte, KID (0-8 bytes), CTR (0-8 bytes)',
    authenticated: 'as SFrame header (AAD)',
    spec: 'RFC 9605 §4.3',
  },
] as const;

export type ClearByteRule = (typeof CLEAR_BYTES)[number];
export type MediaFrameType = 'key' | 'delta' | 'audio';

const VP8_KEY_PREFIX = CLEAR_BYTES[0].maxBytes;
const VP8_DELTA_PREFIX = CLEAR_BYTES[1].maxBytes;
const OPUS_PREFIX = CLEAR_BYTES[2].maxBytes;
/** RFC 6386 §9.1: the start code that follows a key frame's frame tag. */
const VP8_START_CODE = [0x9d, 0x01, 0x2a] as const;

function assertMediaCodec(codec: string): asserts codec is MediaCodec {
  if (!(MEDIA_CODECS as readonly string[]).includes(codec)) {
    throw new ParameterError(Reason.outOfRange, `media codec ${JSON.stringify(codec)} is not supported`);
  }
}

function assertLongEnough(frame: Uint8Array, needed: number, what: string): void {
  if (frame.length < needed) throw new CodecError(Reason.truncated, `${what} of ${frame.length} bytes is shorter than its ${needed}-byte clear prefix`);
}

function assertVp8StartCode(frame: Uint8Array): void {
  if (frame[3] !== VP8_START_CODE[0] || frame[4] !== VP8_START_CODE[1] || frame[5] !== VP8_START_CODE[2]) {
    throw new CodecError(Reason.malformed, 'VP8 key frame lacks the start code 9d 01 2a');
  }
}

/** 'key' or 'delta' for VP8 (from byte 0 bit 0), 'audio' for Opus. */
export function mediaFrameType(codec: MediaCodec, frame: Uint8Array): MediaFrameType {
  assertMediaCodec(codec);
  if (codec === 'opus') return 'audio';
  if (frame.length === 0) throw new CodecError(Reason.truncated, 'VP8 frame is empty');
  return ((frame[0] as number) & 0x01) === 0 ? 'key' : 'delta';
}

/** Length of the clear prefix of `frame`; CodecError if the frame is shorter or malformed. */
export function clearPrefixLength(codec: MediaCodec, frame: Uint8Array): number {
  const type = mediaFrameType(codec, frame);
  if (type === 'audio') return OPUS_PREFIX;
  if (type === 'key') {
    assertLongEnough(frame, VP8_KEY_PREFIX, 'VP8 key frame');
    assertVp8StartCode(frame);
    return VP8_KEY_PREFIX;
  }
  assertLongEnough(frame, VP8_DELTA_PREFIX, 'VP8 delta frame');
  return VP8_DELTA_PREFIX;
}

const NO_PREFIX = new Uint8Array(0);

export interface SplitFrame {
  /** Bytes that stay in clear (a view into the input). */
  readonly prefix: Uint8Array;
  /** The rest (a view into the input). */
  readonly rest: Uint8Array;
}

/** Splits an encoded frame, or a protected one, at its clear prefix. */
export function splitMediaFrame(codec: MediaCodec, frame: Uint8Array): SplitFrame {
  const n = clearPrefixLength(codec, frame);
  return n === 0 ? { prefix: NO_PREFIX, rest: frame } : { prefix: frame.subarray(0, n), rest: frame.subarray(n) };
}
