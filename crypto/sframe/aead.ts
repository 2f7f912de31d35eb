// The AEAD interface SFrame encrypts frames with (RFC 9605 §4.4, RFC 5116 conventions: the tag
// is part of the ciphertext), and the factory that builds one from a suite and an sframe_key.
import { ParameterError, Reason } from '../errors';
import { importAesCtrHmac } from './aead-ctr-hmac';
import { importAesGcm } from './aead-gcm';
import { type CipherSuite, suiteParams } from './suites';

/**
 * Every implementation reads `nonce` and `aad` before seal/open returns (WebCrypto copies its
 * inputs synchronously; others copy them), so a caller may refill those buffers for the next frame.
 */
export interface Aead {
  /** Tag bytes appended to every ciphertext (Nt). */
  readonly tagLength: number;
  /** ciphertext || tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** The plaintext, or undefined when the tag does not verify. Never throws for bad input bytes. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array | undefined>;
  /** `seal`, then `finish` on its result in the same promise step (the media hot path counts its steps). */
  sealThen<T>(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, finish: (sealed: Uint8Array) => T): Promise<T>;
  /** `open`, then `finish` on its result in the same promise step. */
  openThen<T>(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, finish: (plaintext: Uint8Array | undefined) => T): Promise<T>;
}

/** Imports sframe_key (Nk bytes) as non-extractable WebCrypto keys for `suite`. */
export async function importAead(suite: CipherSuite, key: Uint8Array): Promise<Aead> {
  const params = suiteParams(suite);
  if (key.length !== params.Nk) {
    throw new ParameterError(Reason.badKeyLength, `${params.name} needs a ${params.Nk}-byte key, got ${key.length}`);
  }
  return params.Nka === null ? importAesGcm(key, params.Nt) : importAesCtrHmac(key, params.Nka, params.hash, params.Nt);
}
