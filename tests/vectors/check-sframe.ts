// Registers the known-answer checks for one set of SFrame vectors (RFC 9605 Appendix C shapes).
// Each vector runs both ways (encode/encrypt gives the exact bytes, decode/decrypt gives back the
// input) and every one-byte change is rejected. Used for the project's own copy and for the WG file.
import { describe, expect, it } from 'vitest';
import {
  Reason,
  SealroomCryptoError,
  VerificationError,
  importAead,
  decodeSFrameHeader,
  encodeSFrameHeader,
  deriveSFrameKeyMaterial,
  sframeKeyLabel,
  sframeNonce,
  sframeSaltLabel,
  SFrameReceiver,
  SFrameSender,
  sframeDecrypt,
  sframeEncrypt,
  SUITES,
  subtle,
} from '../../crypto/index';
import { fromHex, toHex, withByteChanged } from './hex';
import { type AesCtrHmacVector, type HeaderVector, type SFrameVector } from './rfc9605-appendix';

export function checkHeaderVectors(vectors: readonly HeaderVector[]): void {
  describe('SFrame header (§4.3)', () => {
    it(`encodes each of the ${vectors.length} KID/CTR pairs to the exact bytes`, () => {
      for (const v of vectors) expect(toHex(encodeSFrameHeader(v.kid, v.ctr)), `KID ${v.kid} CTR ${v.ctr}`).toBe(v.header);
    });

    it('decodes each header back to its KID and CTR and consumes exactly its bytes', () => {
      for (const v of vectors) {
        const bytes = fromHex(v.header);
        const withPayload = Uint8Array.of(...bytes, 0xaa, 0xbb);
        expect(decodeSFrameHeader(withPayload)).toEqual({ kid: v.kid, ctr: v.ctr, length: bytes.length });
      }
    });

    it('never decodes a header with one byte changed to the same KID, CTR and length', () => {
      for (const v of vectors) {
        const bytes = fromHex(v.header);
        for (let i = 0; i < bytes.length; i++) {
          let decoded: ReturnType<typeof decodeSFrameHeader> | undefined;
          try {
            decoded = decodeSFrameHeader(withByteChanged(bytes, i));
          } catch (e) {
            expect(e).toBeInstanceOf(SealroomCryptoError);
            continue;
          }
          expect(decoded).not.toEqual({ kid: v.kid, ctr: v.ctr, length: bytes.length });
        }
      }
    });
  });
}

export function checkAesCtrHmacVectors(title: string, vectors: readonly AesCtrHmacVector[]): void {
  describe(title, () => {
    for (const v of vectors) {
      const params = SUITES[v.suite];
      describe(`suite ${v.suite} ${params.name}`, () => {
        it('splits the key into enc_key (first Nka bytes) and auth_key (the rest)', () => {
          expect(params.Nka).not.toBeNull();
          expect(toHex(fromHex(v.key).subarray(0, params.Nka ?? 0))).toBe(v.encKey);
          expect(toHex(fromHex(v.key).subarray(params.Nka ?? 0))).toBe(v.authKey);
        });

        it('encrypts to the exact ciphertext and tag, and decrypts back', async () => {
          const aead = await importAead(v.suite, fromHex(v.key));
          const sealed = await aead.seal(fromHex(v.nonce), fromHex(v.aad), fromHex(v.plaintext));
          expect(toHex(sealed)).toBe(v.ciphertext);
          const opened = await aead.open(fromHex(v.nonce), fromHex(v.aad), fromHex(v.ciphertext));
          expect(opened && toHex(opened)).toBe(v.plaintext);
        });

        it('refuses every one-byte change to the ciphertext, tag, AAD or nonce', async () => {
          const aead = await importAead(v.suite, fromHex(v.key));
          const [nonce, aad, ct] = [fromHex(v.nonce), fromHex(v.aad), fromHex(v.ciphertext)];
          for (let i = 0; i < ct.length; i++) expect(await aead.open(nonce, aad, withByteChanged(ct, i)), `ct[${i}]`).toBeUndefined();
          for (let i = 0; i < aad.length; i++) expect(await aead.open(nonce, withByteChanged(aad, i), ct), `aad[${i}]`).toBeUndefined();
          for (let i = 0; i < nonce.length; i++) expect(await aead.open(withByteChanged(nonce, i), aad, ct), `nonce[${i}]`).toBeUndefined();
        });
      });
    }
  });
}

/** HKDF-Extract with an empty salt = HMAC keyed with HashLen zero bytes (RFC 5869 §2.2). */
async function hkdfExtractEmptySalt(hash: 'SHA-256' | 'SHA-512', hashLen: number, ikm: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const key = await subtle().importKey('raw', new Uint8Array(hashLen), { name: 'HMAC', hash }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', key, ikm));
}

export function checkSFrameVectors(vectors: readonly SFrameVector[]): void {
  describe('SFrame encryption (§4.4)', () => {
    for (const v of vectors) {
      const params = SUITES[v.suite];
      describe(`suite ${v.suite} ${params.name}`, () => {
        it('builds the key and salt labels from the u64 KID and u16 suite', () => {
          expect(toHex(sframeKeyLabel(v.kid, v.suite))).toBe(v.keyLabel);
          expect(toHex(sframeSaltLabel(v.kid, v.suite))).toBe(v.saltLabel);
        });

        it('derives sframe_secret, sframe_key and sframe_salt as the vector does', async () => {
          expect(toHex(await hkdfExtractEmptySalt(params.hash, params.Nh, fromHex(v.baseKey) as Uint8Array<ArrayBuffer>))).toBe(v.secret);
          const material = await deriveSFrameKeyMaterial(v.suite, fromHex(v.baseKey), v.kid);
          expect(toHex(material.sframeKey)).toBe(v.sframeKey);
          expect(toHex(material.sframeSalt)).toBe(v.sframeSalt);
          expect(toHex(sframeNonce(material.sframeSalt, v.ctr))).toBe(v.nonce);
        });

        it('authenticates header || metadata as the AAD', () => {
          expect(toHex(encodeSFrameHeader(v.kid, v.ctr)) + v.metadata).toBe(v.aad);
        });

        it('encrypts to the exact bytes and decrypts back to KID, CTR and plaintext', async () => {
          const baseKey = fromHex(v.baseKey);
          const input = { suite: v.suite, baseKey, kid: v.kid, ctr: v.ctr, metadata: fromHex(v.metadata), plaintext: fromHex(v.plaintext) };
          expect(toHex(await sframeEncrypt(input))).toBe(v.ciphertext);
          const out = await sframeDecrypt({ suite: v.suite, baseKey, metadata: fromHex(v.metadata), ciphertext: fromHex(v.ciphertext) });
          expect({ kid: out.kid, ctr: out.ctr, plaintext: toHex(out.plaintext) }).toEqual({ kid: v.kid, ctr: v.ctr, plaintext: v.plaintext });
        });

        it('gives the same bytes through the SFrameSender / SFrameReceiver hot path', async () => {
          const sender = new SFrameSender(v.suite);
          await sender.addKey(v.kid, fromHex(v.baseKey), v.ctr);
          const sealed = await sender.protect(v.kid, fromHex(v.plaintext), fromHex(v.metadata));
          expect(toHex(sealed)).toBe(v.ciphertext);
          const receiver = new SFrameReceiver(v.suite);
          await receiver.addKey(v.kid, fromHex(v.baseKey));
          const opened = await receiver.unprotect(fromHex(v.ciphertext), fromHex(v.metadata));
          expect(toHex(opened.plaintext)).toBe(v.plaintext);
        });

        it('rejects every one-byte change to the header, ciphertext, tag or metadata', async () => {
          const baseKey = fromHex(v.baseKey);
          const ct = fromHex(v.ciphertext);
          const metadata = fromHex(v.metadata);
          const headerLength = decodeSFrameHeader(ct).length;
          for (let i = 0; i < ct.length; i++) {
            const attempt = sframeDecrypt({ suite: v.suite, baseKey, metadata, ciphertext: withByteChanged(ct, i) });
            await expect(attempt, `byte ${i}`).rejects.toBeInstanceOf(SealroomCryptoError);
            if (i >= headerLength) {
              await expect(attempt).rejects.toBeInstanceOf(VerificationError);
              await expect(attempt).rejects.toMatchObject({ reason: Reason.authFailed, message: expect.stringContaining(`KID ${v.kid}`) });
            }
          }
          for (let i = 0; i < metadata.length; i++) {
            const attempt = sframeDecrypt({ suite: v.suite, baseKey, metadata: withByteChanged(metadata, i), ciphertext: ct });
            await expect(attempt, `metadata ${i}`).rejects.toMatchObject({ reason: Reason.authFailed });
          }
        });
      });
    }
  });
}
