// SFrame header codec, RFC 9605 §4.3.
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+---------------------+---------------------+
//   |X|  K  |Y|  C  |  KID... (0-8 bytes) |  CTR... (0-8 bytes) |
//   +-+-+-+-+-+-+-+-+---------------------+---------------------+
//    config byte
//
//   X = 0: K is the KID itself (0..7), no KID bytes follow.
//   X = 1: K + 1 is the length of the big-endian KID that follows (1..8 bytes).
//   Y, C:  the same for the CTR, whose bytes come after the KID's.
//
// Values are written in the fewest bytes (§4.3 "MUST be encoded with the minimum number of
// bytes"). The decoder accepts only that form, so every (KID, CTR) has exactly one header.
// Header sizes range from 1 byte (KID < 8, CTR < 8) to 17 bytes (both 2^64-1).
import { CodecError, ParameterError, Reason } from '../errors';
import { U64_MAX } from '../limits';

/** Largest value carried inside the config byte (3 bits). */
const INLINE_MAX = 7n;
export const SFRAME_HEADER_MAX_BYTES = 17;

export interface SFrameHeader {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** Header bytes consumed. */
  readonly length: number;
}

/** Throws ParameterError(out-of-range) unless 0 <= value <= 2^64-1. */
export function assertU64(value: bigint, what: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new ParameterError(Reason.outOfRange, `SFrame ${what} must be a bigint in [0, 2^64-1]`);
  }
}

/** Bytes needed to write `value` (>= 8) big-endian with no leading zero byte. */
function minimalLength(value: bigint): number {
  let n = 0;
  for (let v = value; v > 0n; v >>= 8n) n++;
  return n;
}

function writeBigEndian(out: Uint8Array, offset: number, value: bigint, length: number): void {
  let v = value;
  for (let i = offset + length - 1; i >= offset; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Extra bytes a KID or CTR takes after the config byte: 0 when it fits in 3 bits. */
function fieldLength(value: bigint): number {
  return value > INLINE_MAX ? minimalLength(value) : 0;
}

/** Size of the header that `encodeSFrameHeader(kid, ctr)` produces. */
export function sframeHeaderLength(kid: bigint, ctr: bigint): number {
  assertU64(kid, 'KID');
  assertU64(ctr, 'CTR');
  return 1 + fieldLength(kid) + fieldLength(ctr);
}

export function encodeSFrameHeader(kid: bigint, ctr: bigint): Uint8Array {
  assertU64(kid, 'KID');
  assertU64(ctr, 'CTR');
  const kidBytes = fieldLength(kid);
  const ctrBytes = fieldLength(ctr);
  const out = new Uint8Array(1 + kidBytes + ctrBytes);
  // X|K: the KID itself, or its length - 1 with X set. Y|C likewise for the CTR.
  const k = kidBytes === 0 ? Number(kid) << 4 : 0x80 | ((kidBytes - 1) << 4);
  const c = ctrBytes === 0 ? Number(ctr) : 0x08 | (ctrBytes - 1);
  out[0] = k | c;
  writeBigEndian(out, 1, kid, kidBytes);
  writeBigEndian(out, 1 + kidBytes, ctr, ctrBytes);
  return out;
}

/** Reads one extended field; rejects a leading zero byte or a value that fits the config byte. */
function readExtended(bytes: Uint8Array, offset: number, length: number, what: string): bigint {
  if (bytes.length < offset + length) throw new CodecError(Reason.truncated, `SFrame header is truncated in its ${what}`);
  let value = 0n;
  for (let i = offset; i < offset + length; i++) value = (value << 8n) | BigInt(bytes[i] as number);
  if (value <= INLINE_MAX || minimalLength(value) !== length) {
    throw new CodecError(Reason.malformed, `SFrame header ${what} is not minimally encoded`);
  }
  return value;
}

/** Parses the header at the start of `bytes`; anything after it is left to the caller. */
export function decodeSFrameHeader(bytes: Uint8Array): SFrameHeader {
  if (bytes.length < 1) throw new CodecError(Reason.truncated, 'SFrame header is empty');
  const config = bytes[0] as number;
  const k = (config >> 4) & 0x07;
  const c = config & 0x07;
  let offset = 1;
  let kid = BigInt(k);
  if ((config & 0x80) !== 0) {
    kid = readExtended(bytes, offset, k + 1, 'KID');
    offset += k + 1;
  }
  let ctr = BigInt(c);
  if ((config & 0x08) !== 0) {
    ctr = readExtended(bytes, offset, c + 1, 'CTR');
    offset += c + 1;
  }
  return { kid, ctr, length: offset };
}
