import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, ParameterError, Reason, SFRAME_HEADER_MAX_BYTES, U64_MAX, decodeSFrameHeader, encodeSFrameHeader, sframeHeaderLength } from '../../crypto/index';

const u64 = fc.bigInt({ min: 0n, max: U64_MAX });
/** Values biased to the edges of every byte length, where encoders go wrong. */
const edgyU64 = fc.oneof(u64, fc.integer({ min: 0, max: 64 }).map((bits) => (1n << BigInt(bits)) - 1n), fc.integer({ min: 0, max: 63 }).map((bits) => 1n << BigInt(bits)));

describe('sframe header', () => {
  it('round-trips any KID and CTR in [0, 2^64-1]', () => {
    fc.assert(
      fc.property(edgyU64, edgyU64, (kid, ctr) => {
        const bytes = encodeSFrameHeader(kid, ctr);
        expect(bytes.length).toBe(sframeHeaderLength(kid, ctr));
        expect(bytes.length).toBeLessThanOrEqual(SFRAME_HEADER_MAX_BYTES);
        expect(decodeSFrameHeader(bytes)).toEqual({ kid, ctr, length: bytes.length });
      }),
      { numRuns: 2000 },
    );
  });

  it('ignores the bytes after the header, which belong to the ciphertext', () => {
    fc.assert(
      fc.property(edgyU64, edgyU64, fc.uint8Array({ maxLength: 20 }), (kid, ctr, tail) => {
        const header = encodeSFrameHeader(kid, ctr);
        expect(decodeSFrameHeader(Uint8Array.of(...header, ...tail))).toEqual({ kid, ctr, length: header.length });
      }),
    );
  });

  it('puts values below 8 in the config byte and larger ones in the fewest bytes', () => {
    expect(encodeSFrameHeader(7n, 7n)).toEqual(Uint8Array.of(0x77));
    expect(encodeSFrameHeader(8n, 0n)).toEqual(Uint8Array.of(0x80, 0x08));
    expect(encodeSFrameHeader(0n, 0x100n)).toEqual(Uint8Array.of(0x09, 0x01, 0x00));
  });

  it('rejects an empty input as truncated', () => {
    expect(() => decodeSFrameHeader(new Uint8Array(0))).toThrow(expect.objectContaining({ reason: Reason.truncated }));
  });

  it('rejects a header cut inside its KID or its CTR as truncated', () => {
    fc.assert(
      fc.property(edgyU64, edgyU64, (kid, ctr) => {
        const bytes = encodeSFrameHeader(kid, ctr);
        for (let cut = 0; cut < bytes.length; cut++) {
          expect(() => decodeSFrameHeader(bytes.subarray(0, cut))).toThrow(CodecError);
          expect(() => decodeSFrameHeader(bytes.subarray(0, cut))).toThrow(expect.objectContaining({ reason: Reason.truncated }));
        }
      }),
    );
  });

  it('rejects a KID or CTR that is not minimally encoded (§4.3 MUST)', () => {
    const nonMinimal = [
      Uint8Array.of(0x80, 0x05), // KID 5 in an extended byte
      Uint8Array.of(0x90, 0x00, 0xff), // KID 255 with a leading zero byte
      Uint8Array.of(0x08, 0x07), // CTR 7 in an extended byte
      Uint8Array.of(0x09, 0x00, 0x08), // CTR 8 with a leading zero byte
    ];
    for (const bytes of nonMinimal) {
      expect(() => decodeSFrameHeader(bytes)).toThrow(expect.objectContaining({ name: 'CodecError', reason: Reason.malformed }));
    }
  });

  it('refuses to encode a KID or CTR outside [0, 2^64-1]', () => {
    for (const [kid, ctr] of [[-1n, 0n], [0n, -1n], [U64_MAX + 1n, 0n], [0n, U64_MAX + 1n]] as const) {
      expect(() => encodeSFrameHeader(kid, ctr)).toThrow(ParameterError);
      expect(() => encodeSFrameHeader(kid, ctr)).toThrow(expect.objectContaining({ reason: Reason.outOfRange }));
    }
  });
});
