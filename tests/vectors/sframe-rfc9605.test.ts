// RFC 9605 conformance: the project's copy of Appendix C always, and the SFrame WG's full vector
// file (../shared/vectors/sframe-rfc9605.json) whenever it sits beside the project.
import { describe, expect, it } from 'vitest';
import { decodeSFrameHeader, U64_MAX } from '../../crypto/index';
import { checkAesCtrHmacVectors, checkHeaderVectors, checkSFrameVectors } from './check-sframe';
import { AES_CTR_HMAC_VECTORS, HEADER_VECTORS, SFRAME_VECTORS } from './rfc9605-appendix';
import { fromHex } from './hex';
import { WG_VECTOR_FILE, loadWgVectors } from './wg-vectors';

describe('RFC 9605 Appendix C (project copy)', () => {
  it('covers every KID length and every CTR length, with both 2^64-1 extremes', () => {
    const kidLengths = new Set(HEADER_VECTORS.map((v) => fromHex(v.header).length - 1 - ctrBytes(v.ctr)));
    const ctrLengths = new Set(HEADER_VECTORS.map((v) => ctrBytes(v.ctr)));
    expect([...kidLengths].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...ctrLengths].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(HEADER_VECTORS.some((v) => v.kid === U64_MAX && v.ctr === U64_MAX)).toBe(true);
  });
  checkHeaderVectors(HEADER_VECTORS);
  checkAesCtrHmacVectors('AES-CTR + HMAC AEAD (§4.5.1)', AES_CTR_HMAC_VECTORS);
  checkSFrameVectors(SFRAME_VECTORS);
});

/** Extra bytes a CTR takes after the config byte (0 when it fits in 3 bits). */
function ctrBytes(ctr: bigint): number {
  if (ctr < 8n) return 0;
  let n = 0;
  for (let v = ctr; v > 0n; v >>= 8n) n++;
  return n;
}

const wg = loadWgVectors();
if (wg !== undefined) {
  describe(`SFrame WG vector file (${WG_VECTOR_FILE})`, () => {
    it('parses KID and CTR exactly, including 2^64-1 that JSON.parse would round', () => {
      expect(wg.header).toHaveLength(289);
      expect(wg.header.filter((v) => v.kid === U64_MAX)).toHaveLength(17);
      expect(wg.header.filter((v) => v.ctr === U64_MAX)).toHaveLength(17);
      expect(BigInt(Number(U64_MAX))).not.toBe(U64_MAX);
      for (const v of wg.header) {
        const decoded = decodeSFrameHeader(fromHex(v.header));
        expect([decoded.kid, decoded.ctr], v.header).toEqual([v.kid, v.ctr]);
      }
    });
    it('holds every section this implementation supports', () => {
      expect(wg.aesCtrHmac.map((v) => v.suite)).toEqual([1, 2, 3]);
      expect(wg.aes256CtrHmac.map((v) => v.suite)).toEqual([6, 7, 8]);
      expect(wg.sframe.map((v) => v.suite)).toEqual([1, 2, 3, 4, 5]);
    });
    checkHeaderVectors(wg.header);
    checkAesCtrHmacVectors('AES-CTR + HMAC AEAD (§4.5.1)', wg.aesCtrHmac);
    checkAesCtrHmacVectors('AES-256-CTR + HMAC-SHA-512 AEAD (suites 6-8)', wg.aes256CtrHmac);
    checkSFrameVectors(wg.sframe);
  });
}
