// Ed25519 signing (RFC 8032) behind one small interface, so a caller signs without holding the
// private key: where the browser has WebCrypto Ed25519 the key is a non-extractable CryptoKey
// (docs/decisions/0019-non-extractable-identity-keys.md); elsewhere libsodium signs with its
// 64-byte secret key. Ed25519 is deterministic, so both give the same signature for the same key
// and message: the known answers do not depend on which one signed. Verification needs only the
// public key and stays synchronous libsodium (identity.ts, commit.ts, ...).
//
// PKCS #8 form of an Ed25519 seed (RFC 8410 section 7), what WebCrypto imports:
//   30 2e 02 01 00 30 05 06 03 2b 65 70 04 22 04 20 || seed (32)
import { concat } from './bytes';
import { CodecError, Reason } from './errors';
import { bufferSource, subtle } from './sframe/webcrypto';
import { sodium } from './sodium';

const ED25519_SEED_BYTES = 32;
const ED25519 = { name: 'Ed25519' } as const;
const PKCS8_ED25519_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

/** Signs with an Ed25519 key whose public half is `publicKey`. */
export interface Signer {
  /** Ed25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** A libsodium key pair that is also a Signer: the fallback, and what tests make. */
export interface SodiumSigner extends Signer {
  /** libsodium's 64-byte Ed25519 secret key (seed || public key). */
  readonly secretKey: Uint8Array;
}

/** A WebCrypto Ed25519 private key and its public key's bytes. */
export interface WebCryptoKeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: Uint8Array;
}

export function sodiumSigner(pair: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array }): SodiumSigner {
  const { publicKey, secretKey } = pair;
  return { publicKey, secretKey, sign: (message) => Promise.resolve(sodium().crypto_sign_detached(message, secretKey)) };
}

export function generateSodiumSigner(): SodiumSigner {
  const kp = sodium().crypto_sign_keypair();
  return sodiumSigner({ publicKey: kp.publicKey, secretKey: kp.privateKey });
}

export function sodiumSignerFromSeed(seed: Uint8Array): SodiumSigner {
  const kp = sodium().crypto_sign_seed_keypair(seed);
  return sodiumSigner({ publicKey: kp.publicKey, secretKey: kp.privateKey });
}

export function webCryptoSigner(pair: WebCryptoKeyPair): Signer {
  const { privateKey, publicKey } = pair;
  return { publicKey, sign: async (message) => new Uint8Array(await subtle().sign(ED25519, privateKey, bufferSource(message))) };
}

/** A fresh Ed25519 key whose private half cannot be exported. Rejects where WebCrypto has no Ed25519. */
export async function generateWebCryptoKey(): Promise<WebCryptoKeyPair> {
  const pair = (await subtle().generateKey(ED25519, false, ['sign', 'verify'])) as CryptoKeyPair;
  return { privateKey: pair.privateKey, publicKey: new Uint8Array(await subtle().exportKey('raw', pair.publicKey)) };
}

/** The PKCS #8 document of an Ed25519 seed (RFC 8410). It holds the seed: wipe it after use. */
export function seedToPkcs8(seed: Uint8Array): Uint8Array {
  if (seed.length !== ED25519_SEED_BYTES) throw new CodecError(Reason.malformed, `an Ed25519 seed must be ${ED25519_SEED_BYTES} bytes, got ${seed.length}`);
  return concat(PKCS8_ED25519_PREFIX, seed);
}

/** Imports a libsodium seed as a non-extractable WebCrypto key; the public key is the same. Rejects where WebCrypto has no Ed25519. */
export async function importSeedNonExtractable(seed: Uint8Array): Promise<WebCryptoKeyPair> {
  const publicKey = sodium().crypto_sign_seed_keypair(seed).publicKey;
  const pkcs8 = seedToPkcs8(seed);
  try {
    return { privateKey: await subtle().importKey('pkcs8', bufferSource(pkcs8), ED25519, false, ['sign']), publicKey };
  } finally {
    pkcs8.fill(0);
  }
}
