// Pure helpers the security e2e tests apply to what a raw LiveKit peer recorded (rawpeer.ts): byte
// entropy, reading a frame as Sealroom's clear prefix + SFrame header + ciphertext, and how close a
// picture is to a participant's fake-camera pattern (pattern.ts). No browser, no I/O.
//
// A lone frame cannot prove it is SFrame: almost any byte is a well-formed SFrame config byte. What
// tells ciphertext from clear media is the stream: every frame parses AND each KID's CTR only rises
// (parseProtectedStream), or the KID is one the test knows the sender uses (ParseOptions.kids).
import { type MediaCodec, splitMediaFrame, type SFrameHeader, decodeSFrameHeader, DEFAULT_MEDIA_SUITE, SUITES } from '../../../crypto/index';
import type { MediaKind, RgbSample } from '../rawpeer/api';

export type Rgb = readonly [number, number, number];
/** Top-left, top-right, bottom-left, bottom-right. */
export type Quadrants = readonly [Rgb, Rgb, Rgb, Rgb];

/** Largest patternDistance at which a picture still counts as showing the pattern (RGB units). */
export const PATTERN_TOLERANCE = 60;

/** Shannon entropy of the byte histogram, in bits per byte (0 for a constant or empty array, at most 8). */
export function shannonEntropy(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  const counts = new Array<number>(256).fill(0);
  for (const byte of bytes) counts[byte] = (counts[byte] ?? 0) + 1;
  let bits = 0;
  for (const count of counts) {
    if (count === 0) continue;
    const p = count / bytes.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * What shannonEntropy gives, on average, for `byteCount` uniformly random bytes (ciphertext): the
 * plug-in estimate falls short of 8 by about 255 / (2 n ln 2) bits (Miller-Madow), e.g. 7.983 for
 * 11 000 bytes. Compressed media comes close too (measured: VP8 7.79-7.81, Opus 7.89-7.93 bits per byte), so
 * entropy tells ciphertext from clear media only against this baseline, and hardly for audio.
 */
export function uniformEntropyBaseline(byteCount: number): number {
  return byteCount <= 0 ? 0 : 8 - 255 / (2 * byteCount * Math.LN2);
}

export function codecOfKind(kind: MediaKind): MediaCodec {
  return kind === 'video' ? 'vp8' : 'opus';
}

export class NotProtectedError extends Error {
  override name = 'NotProtectedError';
}

export interface ProtectedFrame {
  /** The bytes Sealroom leaves in clear for the codec (crypto/media/framing.ts). */
  clearPrefix: Uint8Array;
  header: SFrameHeader;
  /** Everything after the SFrame header: ciphertext and tag. */
  ciphertext: Uint8Array;
}

export interface ParseOptions {
  /** Accept only these KIDs. */
  kids?: ReadonlySet<bigint>;
  /** Fewest bytes after the header (default: the tag size of Sealroom's media suite). */
  minCiphertextBytes?: number;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Splits a frame as Sealroom sends it; NotProtectedError when it cannot be one. */
export function parseProtectedFrame(kind: MediaKind, bytes: Uint8Array, options: ParseOptions = {}): ProtectedFrame {
  const codec = codecOfKind(kind);
  let split: ReturnType<typeof splitMediaFrame>;
  try {
    split = splitMediaFrame(codec, bytes);
  } catch (error) {
    throw new NotProtectedError(`${codec} frame of ${bytes.length} bytes has no valid clear prefix: ${message(error)}`);
  }
  let header: SFrameHeader;
  try {
    header = decodeSFrameHeader(split.rest);
  } catch (error) {
    throw new NotProtectedError(`${codec} frame of ${bytes.length} bytes has no valid SFrame header after its ${split.prefix.length}-byte clear prefix: ${message(error)}`);
  }
  if (options.kids !== undefined && !options.kids.has(header.kid)) {
    throw new NotProtectedError(`${codec} frame carries KID ${header.kid}, not one of the expected ${[...options.kids].join(', ')}`);
  }
  const ciphertext = split.rest.subarray(header.length);
  const least = options.minCiphertextBytes ?? SUITES[DEFAULT_MEDIA_SUITE].Nt;
  if (ciphertext.length < least) {
    throw new NotProtectedError(`${codec} frame has ${ciphertext.length} bytes after its SFrame header, fewer than ${least}`);
  }
  return { clearPrefix: split.prefix, header, ciphertext };
}

/**
 * Parses the frames of one track in the order received; NotProtectedError (naming the frame) unless
 * every frame parses and, per KID, every CTR is above the previous one, as one sender's are.
 */
export function parseProtectedStream(kind: MediaKind, frames: readonly Uint8Array[], options: ParseOptions = {}): ProtectedFrame[] {
  const lastCtr = new Map<bigint, bigint>();
  return frames.map((bytes, index) => {
    let parsed: ProtectedFrame;
    try {
      parsed = parseProtectedFrame(kind, bytes, options);
    } catch (error) {
      throw new NotProtectedError(`frame ${index} of ${frames.length}: ${message(error)}`);
    }
    const { kid, ctr } = parsed.header;
    const previous = lastCtr.get(kid);
    if (previous !== undefined && ctr <= previous) {
      throw new NotProtectedError(`frame ${index} of ${frames.length}: CTR ${ctr} of KID ${kid} does not rise above ${previous}`);
    }
    lastCtr.set(kid, ctr);
    return parsed;
  });
}

/** What is skipped at the start of each frame: the codec's clear prefix, or that and the SFrame header (frames must parse). */
export type PayloadStart = 'after-clear-prefix' | 'after-sframe-header';

/** The concatenation of every frame's bytes from `start` on. */
export function payloadBytes(kind: MediaKind, frames: readonly Uint8Array[], start: PayloadStart): Uint8Array {
  const parts = frames.map((bytes) =>
    start === 'after-sframe-header' ? parseProtectedFrame(kind, bytes).ciphertext : splitMediaFrame(codecOfKind(kind), bytes).rest,
  );
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** shannonEntropy(payloadBytes(...)). Needs some thousands of bytes to come near 8 for random data. */
export function payloadEntropy(kind: MediaKind, frames: readonly Uint8Array[], start: PayloadStart): number {
  return shannonEntropy(payloadBytes(kind, frames, start));
}

/** Mean colour of the middle half (each way) of each quadrant of the sample, away from edges and the centre lines. */
export function quadrantColours(sample: RgbSample): Quadrants {
  const halfW = Math.floor(sample.width / 2);
  const halfH = Math.floor(sample.height / 2);
  const mean = (x0: number, y0: number): Rgb => {
    const sum = [0, 0, 0];
    let n = 0;
    for (let y = y0 + Math.floor(halfH / 4); y < y0 + halfH - Math.floor(halfH / 4); y++) {
      for (let x = x0 + Math.floor(halfW / 4); x < x0 + halfW - Math.floor(halfW / 4); x++) {
        for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (sample.rgb[(y * sample.width + x) * 3 + c] ?? 0);
        n += 1;
      }
    }
    return [(sum[0] ?? 0) / n, (sum[1] ?? 0) / n, (sum[2] ?? 0) / n];
  };
  return [mean(0, 0), mean(halfW, 0), mean(0, halfH), mean(halfW, halfH)];
}

/** Euclidean distance in RGB (0 to about 441). */
export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** The largest colourDistance between a quadrant of the sample and the same quadrant of `expected`. */
export function patternDistance(sample: RgbSample, expected: Quadrants): number {
  const seen = quadrantColours(sample);
  return Math.max(...expected.map((colour, i) => colourDistance(seen[i] ?? [0, 0, 0], colour)));
}

export function resemblesPattern(sample: RgbSample, expected: Quadrants, tolerance: number = PATTERN_TOLERANCE): boolean {
  return patternDistance(sample, expected) <= tolerance;
}
