// AES-GCM (NIST SP 800-38D) through WebCrypto, for SFrame suites 4 and 5 (RFC 9605 §4.5).
// 96-bit nonce, 128-bit tag; WebCrypto returns ciphertext || tag, the layout SFrame sends.
// `tagLength` is left out of the parameters: 128 is WebCrypto's default, and naming it costs
// Node a measurable few µs per call (bench/sframe.ts).
import { ParameterError, Reason } from '../errors';
import { type Aead } from './aead';
import { bufferSource, subtle } from './webcrypto';

const same = <T>(value: T): T => value;

const GCM_TAG_BYTES = 16;

export async function importAesGcm(key: Uint8Array, tagBytes: number): Promise<Aead> {
  if (tagBytes !== GCM_TAG_BYTES) throw new ParameterError(Reason.outOfRange, `AES-GCM here always has a ${GCM_TAG_BYTES}-byte tag`);
  const cryptoKey = await subtle().importKey('raw', bufferSource(key), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const params = (nonce: Uint8Array, aad: Uint8Array): AesGcmParams => ({ name: 'AES-GCM', iv: bufferSource(nonce), additionalData: bufferSource(aad) });
  const sealThen = <T>(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, finish: (sealed: Uint8Array) => T): Promise<T> =>
    subtle()
      .encrypt(params(nonce, aad), cryptoKey, bufferSource(plaintext))
      .then((buffer) => finish(new Uint8Array(buffer)));
  const openThen = <T>(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, finish: (plaintext: Uint8Array | undefined) => T): Promise<T> => {
    if (ciphertext.length < tagBytes) return Promise.resolve(undefined).then(finish);
    // WebCrypto signals a tag mismatch with an OperationError and nothing more.
    return subtle()
      .decrypt(params(nonce, aad), cryptoKey, bufferSource(ciphertext))
      .then(
        (buffer) => finish(new Uint8Array(buffer)),
        () => finish(undefined),
      );
  };
  return {
    tagLength: tagBytes,
    seal: (nonce, aad, plaintext) => sealThen(nonce, aad, plaintext, same),
    open: (nonce, aad, ciphertext) => openThen(nonce, aad, ciphertext, same),
    sealThen,
    openThen,
  };
}
