// AES-GCM (NIST SP 800-38D) through WebCrypto, for SFrame suites 4 and 5 (RFC 9605 §4.5).
// 96-bit nonce, 128-bit tag; WebCrypto returns ciphertext || tag, the layout SFrame sends.
// `tagLength` is left out of the parameters: 128 is WebCrypto's default, and naming it costs
// Node a measurable few µs per call (bench/sframe.ts).
import { ParameterError, Reason } from '../errors';
import { type Aead } from './aead';
import { bufferSource, subtle } from './webcrypto';

const toBytes = (buffer: ArrayBuffer): Uint8Array => new Uint8Array(buffer);
const notAuthentic = (): undefined => undefined;

const GCM_TAG_BYTES = 16;

export async function importAesGcm(key: Uint8Array, tagBytes: number): Promise<Aead> {
  if (tagBytes !== GCM_TAG_BYTES) throw new ParameterError(Reason.outOfRange, `AES-GCM here always has a ${GCM_TAG_BYTES}-byte tag`);
  const cryptoKey = await subtle().importKey('raw', bufferSource(key), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    tagLength: tagBytes,
    seal(nonce, aad, plaintext) {
      const params = { name: 'AES-GCM', iv: bufferSource(nonce), additionalData: bufferSource(aad) };
      return subtle().encrypt(params, cryptoKey, bufferSource(plaintext)).then(toBytes);
    },
    open(nonce, aad, ciphertext) {
      if (ciphertext.length < tagBytes) return Promise.resolve(undefined);
      const params = { name: 'AES-GCM', iv: bufferSource(nonce), additionalData: bufferSource(aad) };
      // WebCrypto signals a tag mismatch with an OperationError and nothing more.
      return subtle().decrypt(params, cryptoKey, bufferSource(ciphertext)).then(toBytes, notAuthentic);
    },
  };
}
