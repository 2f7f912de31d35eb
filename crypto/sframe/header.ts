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
//
// The media hot path never builds a BigInt: a u64 travels as two numbers, its high and low 32-bit
// halves (`hi`, `lo`, each in [0, 2^32-1]). The bigint functions below are wrappers of the same code.
import { CodecError, ParameterError, Reason } from '../errors';
import { U64_MAX } from '../limits';

/** Largest value carried inside the config byte (3 bits). */
const INLINE_MAX = 7;
export const SFRAME_HEADER_MAX_BYTES = 17;
const TWO_32 = 0x1_0000_0000;

export interface SFrameHeader {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** Header bytes consumed. */
  readonly length: number;
}

/** A parsed header as 32-bit halves: what the hot path reads. */
export interface SFrameHeaderFields {
  readonly kidHi: number;
  readonly kidLo: number;
  readonly ctrHi: number;
  readonly ctrLo: number;
  /** Header bytes consumed. */
  readonly length: number;
}

/** Throws ParameterError(out-of-range) unless 0 <= value <= 2^64-1. */
export function assertU64(value: bigint, what: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new ParameterError(Reason.outOfRange, `SFrame ${what} must be a bigint in [0, 2^64-1]`);
  }
}

/** A u64 from its halves. */
export function joinU64(hi: number, lo: number): bigint {
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** High half of a u64 (the caller checked the range). */
export const highHalf = (value: bigint): number => Number(value >> 32n);
/** Low half of a u64. */
export const lowHalf = (value: bigint): number => Number(value & 0xffffffffn);

/** Bytes a value of at most 32 bits takes big-endian with no leading zero byte (0 for 0). */
function bytesOf32(v: number): number {
  return v === 0 ? 0 : v < 0x100 ? 1 : v < 0x1_0000 ? 2 : v < 0x100_0000 ? 3 : 4;
}

/** Extra bytes a KID or CTR takes after the config byte: 0 when it fits in 3 bits. */
function fieldLength(hi: number, lo: number): number {
  if (hi !== 0) return 4 + bytesOf32(hi);
  return lo > INLINE_MAX ? bytesOf32(lo) : 0;
}

/** Writes `length` (0-8) bytes of hi:lo big-endian at `offset`. */
function writeField(out: Uint8Array, offset: number, hi: number, lo: number, length: number): void {
  let end = offset + length;
  for (let v = lo, n = Math.min(length, 4); n > 0; n--) {
    out[--end] = v & 0xff;
    v >>>= 8;
  }
  for (let v = hi; end > offset; ) {
    out[--end] = v & 0xff;
    v >>>= 8;
  }
}

/**
 * The KID's part of every header under one key, computed once per key: its config bits (X|K, the
 * high nibble) and the KID bytes that follow the config byte.
 */
export interface KidEncoding {
  readonly config: number;
  readonly bytes: Uint8Array;
}

export function kidEncoding(kid: bigint): KidEncoding {
  assertU64(kid, 'KID');
  const hi = highHalf(kid);
  const lo = lowHalf(kid);
  const length = fieldLength(hi, lo);
  const bytes = new Uint8Array(length);
  writeField(bytes, 0, hi, lo, length);
  return { config: length === 0 ? lo << 4 : 0x80 | ((length - 1) << 4), bytes };
}

/** Size of the header for this KID and the CTR hi:lo. */
export function headerLengthOf(kid: KidEncoding, ctrHi: number, ctrLo: number): number {
  return 1 + kid.bytes.length + fieldLength(ctrHi, ctrLo);
}

/** Writes the header for this KID and the CTR hi:lo at `offset` of `out`; returns its length. */
export function writeSFrameHeader(out: Uint8Array, offset: number, kid: KidEncoding, ctrHi: number, ctrLo: number): number {
  const ctrBytes = fieldLength(ctrHi, ctrLo);
  out[offset] = kid.config | (ctrBytes === 0 ? ctrLo : 0x08 | (ctrBytes - 1));
  out.set(kid.bytes, offset + 1);
  writeField(out, offset + 1 + kid.bytes.length, ctrHi, ctrLo, ctrBytes);
  return 1 + kid.bytes.length + ctrBytes;
}

/** Size of the header that `encodeSFrameHeader(kid, ctr)` produces. */
export function sframeHeaderLength(kid: bigint, ctr: bigint): number {
  assertU64(ctr, 'CTR');
  return headerLengthOf(kidEncoding(kid), highHalf(ctr), lowHalf(ctr));
}

export function encodeSFrameHeader(kid: bigint, ctr: bigint): Uint8Array {
  const encoding = kidEncoding(kid);
  assertU64(ctr, 'CTR');
  const hi = highHalf(ctr);
  const lo = lowHalf(ctr);
  const out = new Uint8Array(headerLengthOf(encoding, hi, lo));
  writeSFrameHeader(out, 0, encoding, hi, lo);
  return out;
}

/** Reads `length` bytes at `offset` as hi:lo into `into`; rejects a leading zero byte or a value that fits the config byte. */
function readExtended(bytes: Uint8Array, offset: number, length: number, what: string, into: number[]): void {
  if (bytes.length < offset + length) throw new CodecError(Reason.truncated, `SFrame header is truncated in its ${what}`);
  const split = offset + (length > 4 ? length - 4 : 0);
  let hi = 0;
  let lo = 0;
  for (let i = offset; i < split; i++) hi = hi * 256 + (bytes[i] as number);
  for (let i = split; i < offset + length; i++) lo = lo * 256 + (bytes[i] as number);
  // Minimal: one byte must exceed what the config byte holds; a longer field must not start with 0.
  if (length === 1 ? lo <= INLINE_MAX : bytes[offset] === 0) {
    throw new CodecError(Reason.malformed, `SFrame header ${what} is not minimally encoded`);
  }
  into[0] = hi;
  into[1] = lo;
}

/** readExtended's output (hi, lo); read at once by its caller, never across an await. */
const HALVES = [0, 0];

/** Parses the header at the start of `bytes` into halves; anything after it is left to the caller. */
export function readSFrameHeader(bytes: Uint8Array): SFrameHeaderFields {
  if (bytes.length < 1) throw new CodecError(Reason.truncated, 'SFrame header is empty');
  const config = bytes[0] as number;
  const k = (config >> 4) & 0x07;
  const c = config & 0x07;
  let offset = 1;
  let kidHi = 0;
  let kidLo = k;
  if ((config & 0x80) !== 0) {
    readExtended(bytes, offset, k + 1, 'KID', HALVES);
    kidHi = HALVES[0] as number;
    kidLo = HALVES[1] as number;
    offset += k + 1;
  }
  let ctrHi = 0;
  let ctrLo = c;
  if ((config & 0x08) !== 0) {
    readExtended(bytes, offset, c + 1, 'CTR', HALVES);
    ctrHi = HALVES[0] as number;
    ctrLo = HALVES[1] as number;
    offset += c + 1;
  }
  return { kidHi, kidLo, ctrHi, ctrLo, length: offset };
}

/** Parses the header at the start of `bytes`; anything after it is left to the caller. */
export function decodeSFrameHeader(bytes: Uint8Array): SFrameHeader {
  const h = readSFrameHeader(bytes);
  return { kid: joinU64(h.kidHi, h.kidLo), ctr: joinU64(h.ctrHi, h.ctrLo), length: h.length };
}

/** The KID as a number when it is below 2^53 (every KID Sealroom makes), else -1. */
export function kidNumber(h: SFrameHeaderFields): number {
  return h.kidHi < 0x20_0000 ? h.kidHi * TWO_32 + h.kidLo : -1;
}
