// The pure helpers of the security e2e tests (tests/e2e/harness/analysis.ts, pattern.ts's Y4M writer):
// checked here without a browser, so an e2e verdict never rests on an untested measuring stick.
import { randomBytes } from 'node:crypto';
import { sodium, type MediaCodec, protectMediaFrame, SFrameSender, SUITES } from '../../crypto/index';
import { describe, expect, it } from 'vitest';
import {
  NotProtectedError,
  PATTERN_TOLERANCE,
  type Quadrants,
  colourDistance,
  parseProtectedFrame,
  parseProtectedStream,
  patternDistance,
  payloadEntropy,
  quadrantColours,
  resemblesPattern,
  shannonEntropy,
  uniformEntropyBaseline,
} from '../e2e/harness/analysis';
import { PATTERNS, Y4M, patternY4m } from '../e2e/harness/pattern';
import { type RgbSample, SAMPLE_SIZE } from '../e2e/rawpeer/api';

const KID = (3n << 6n) | 2n;
const TAG = SUITES[4].Nt;

/** A deterministic byte stream (xorshift32), so "clear media" inputs are the same on every run. */
function pseudoRandom(length: number, seed: number): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

const vp8Key = (body: Uint8Array) => Uint8Array.of(0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01, ...body);
const vp8Delta = (body: Uint8Array) => Uint8Array.of(0x31, 0x02, 0x00, ...body);

async function sender(): Promise<SFrameSender> {
  const out = new SFrameSender();
  await out.addKey(KID, new Uint8Array(32).fill(7));
  return out;
}

function sampleOf(quadrants: Quadrants): RgbSample {
  const { width, height } = SAMPLE_SIZE;
  const rgb: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgb.push(...(quadrants[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)] ?? [0, 0, 0]));
  }
  return { width, height, sourceWidth: Y4M.width, sourceHeight: Y4M.height, rgb };
}

describe('shannonEntropy', () => {
  it('is above 7.9 bits per byte for random bytes, 0 for a constant or empty array, 1 for two equally frequent values', () => {
    expect(shannonEntropy(new Uint8Array(randomBytes(1 << 16)))).toBeGreaterThan(7.9);
    expect(shannonEntropy(new Uint8Array(4096).fill(0x42))).toBe(0);
    expect(shannonEntropy(new Uint8Array(0))).toBe(0);
    expect(shannonEntropy(Uint8Array.from({ length: 1000 }, (_, i) => i % 2))).toBeCloseTo(1, 10);
  });

  it('comes within 0.01 bit of uniformEntropyBaseline for random bytes of any length', () => {
    // Seeded bytes: the estimate's spread for 2 000 random bytes is about 0.005 bit, so a fresh draw
    // would miss the bound now and then.
    for (const [seed, length] of [[1, 2_000], [2, 11_000], [3, 100_000]] as const) {
      const bytes = sodium().randombytes_buf_deterministic(length, new Uint8Array(32).fill(seed));
      expect(Math.abs(shannonEntropy(bytes) - uniformEntropyBaseline(length))).toBeLessThan(0.01);
    }
    expect(uniformEntropyBaseline(11_000)).toBeCloseTo(7.983, 3);
  });
});

describe('parseProtectedFrame', () => {
  it('splits frames made by protectMediaFrame into clear prefix, SFrame header and ciphertext', async () => {
    const frames: [MediaCodec, 'video' | 'audio', Uint8Array, number][] = [
      ['vp8', 'video', vp8Key(pseudoRandom(500, 1)), 10],
      ['vp8', 'video', vp8Delta(pseudoRandom(200, 2)), 3],
      ['opus', 'audio', pseudoRandom(80, 3), 0],
    ];
    const out = await sender();
    for (const [index, [codec, kind, frame, prefix]] of frames.entries()) {
      const parsed = parseProtectedFrame(kind, await protectMediaFrame({ sender: out, kid: KID, codec, frame }));
      expect(parsed.header.kid).toBe(KID);
      expect(parsed.header.ctr).toBe(BigInt(index));
      expect(parsed.clearPrefix).toEqual(frame.subarray(0, prefix));
      expect(parsed.ciphertext.length).toBe(frame.length + TAG); // the whole frame, its clear prefix too
    }
  });

  it('rejects a clear VP8 frame whose first byte after the prefix is no minimal SFrame header', () => {
    // 0x80 0x00: a one-byte KID of value 0, which a minimal encoding would carry in the config byte.
    expect(() => parseProtectedFrame('video', vp8Delta(Uint8Array.of(0x80, 0x00, ...pseudoRandom(100, 4))))).toThrow(NotProtectedError);
    expect(() => parseProtectedFrame('video', vp8Delta(Uint8Array.of(0x80, 0x00, ...pseudoRandom(100, 4))))).toThrow(/no valid SFrame header after its 3-byte clear prefix/);
  });

  it('rejects a VP8 key frame without its start code, a KID not expected, and too few bytes for a tag', () => {
    const broken = vp8Key(pseudoRandom(100, 5));
    broken[4] = 0x00;
    expect(() => parseProtectedFrame('video', broken)).toThrow(/no valid clear prefix/);
    const clear = vp8Delta(Uint8Array.of(0x12, ...pseudoRandom(100, 6))); // reads as KID 1, CTR 2
    expect(parseProtectedFrame('video', clear).header).toEqual({ kid: 1n, ctr: 2n, length: 1 });
    expect(() => parseProtectedFrame('video', clear, { kids: new Set([KID]) })).toThrow(/KID 1, not one of the expected/);
    expect(() => parseProtectedFrame('audio', Uint8Array.of(0x12, ...pseudoRandom(TAG - 1, 7)))).toThrow(/fewer than 16/);
  });
});

describe('parseProtectedStream', () => {
  it('accepts one sender stream, and rejects it reordered and clear frames that each parse alone', async () => {
    const out = await sender();
    const stream: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) stream.push(await protectMediaFrame({ sender: out, kid: KID, codec: 'vp8', frame: vp8Delta(pseudoRandom(300, 10 + i)) }));
    expect(parseProtectedStream('video', stream).map((frame) => frame.header.ctr)).toEqual([...Array(20).keys()].map(BigInt));
    expect(() => parseProtectedStream('video', [stream[5]!, stream[4]!])).toThrow(/frame 1 of 2: CTR 4 of KID 194 does not rise above 5/);

    // Clear frames whose byte after the prefix happens to be a well-formed header: KID 1, CTR 5 then CTR 2.
    const clear = [vp8Delta(Uint8Array.of(0x15, ...pseudoRandom(300, 30))), vp8Delta(Uint8Array.of(0x12, ...pseudoRandom(300, 31)))];
    for (const frame of clear) expect(() => parseProtectedFrame('video', frame)).not.toThrow();
    expect(() => parseProtectedStream('video', clear)).toThrow(NotProtectedError);
  });
});

describe('payloadEntropy', () => {
  it('is near 8 for ciphertext of constant frames, whose own bytes after the prefix have entropy 0', async () => {
    const out = await sender();
    const clear = Array.from({ length: 40 }, () => vp8Delta(new Uint8Array(400)));
    const sent = await Promise.all(clear.map((frame) => protectMediaFrame({ sender: out, kid: KID, codec: 'vp8', frame })));
    expect(payloadEntropy('video', clear, 'after-clear-prefix')).toBe(0);
    expect(payloadEntropy('video', sent, 'after-sframe-header')).toBeGreaterThan(7.9);
    expect(() => payloadEntropy('video', [vp8Delta(Uint8Array.of(0x80, 0x00, ...new Uint8Array(40)))], 'after-sframe-header')).toThrow(NotProtectedError);
  });
});

describe('pattern comparison', () => {
  it('keeps any two patterns further apart, in every quadrant, than twice the tolerance', () => {
    for (const a of PATTERNS) {
      for (const b of PATTERNS) {
        if (a === b) continue;
        const closest = Math.min(...a.quadrants.map((colour, i) => colourDistance(colour, b.quadrants[i] ?? [0, 0, 0])));
        expect(closest).toBeGreaterThan(2 * PATTERN_TOLERANCE);
      }
    }
  });

  it("matches a picture of a pattern to that pattern only, and a grey picture to none", () => {
    const [first, second] = PATTERNS;
    const picture = sampleOf(first!.quadrants);
    expect(quadrantColours(picture)).toEqual(first!.quadrants);
    expect(patternDistance(picture, first!.quadrants)).toBe(0);
    expect(resemblesPattern(picture, first!.quadrants)).toBe(true);
    expect(resemblesPattern(picture, second!.quadrants)).toBe(false);
    const grey: Quadrants = [[128, 128, 128], [128, 128, 128], [128, 128, 128], [128, 128, 128]];
    expect(PATTERNS.filter((pattern) => resemblesPattern(sampleOf(grey), pattern.quadrants))).toEqual([]);
  });
});

describe('patternY4m', () => {
  it("writes the header Chromium's Y4M reader needs, then FRAME-separated I420 frames of the pattern's colours", () => {
    const file = patternY4m(PATTERNS[0]!);
    const header = 'YUV4MPEG2 W640 H360 F30:1 Ip A1:1 C420jpeg\n';
    const frameBytes = 'FRAME\n'.length + (Y4M.width * Y4M.height * 3) / 2;
    expect(file.subarray(0, header.length).toString('ascii')).toBe(header);
    expect(file.length).toBe(header.length + Y4M.frames * frameBytes);
    for (let frame = 0; frame < Y4M.frames; frame++) expect(file.subarray(header.length + frame * frameBytes, header.length + frame * frameBytes + 6).toString('ascii')).toBe('FRAME\n');
    // Top-left luma of red (220, 40, 40) in BT.601 limited range; the frames differ (the moving square).
    expect(file[header.length + 6]).toBe(97);
    expect(file.subarray(header.length, header.length + frameBytes)).not.toEqual(file.subarray(header.length + frameBytes, header.length + 2 * frameBytes));
  });
});
