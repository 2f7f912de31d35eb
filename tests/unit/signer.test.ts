// Signers (crypto/signer.ts): a WebCrypto Ed25519 key imported from a libsodium seed signs
// byte-for-byte as libsodium does (Ed25519 is deterministic, RFC 8032 section 5.1.6), so the known
// answers do not depend on which one signed; and the imported key cannot be exported.
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  importSeedNonExtractable,
  seedToPkcs8,
  sodium,
  sodiumReady,
  sodiumSignerFromSeed,
  webCryptoSigner,
} from '../../crypto/index';

await sodiumReady();
const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

// RFC 8032 section 7.1, TEST 2 (one-byte message).
const RFC8032_SEED = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
const RFC8032_PUBLIC = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const RFC8032_MESSAGE = fromHex('72');
const RFC8032_SIGNATURE = '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';

describe('signers', () => {
  it('signs the RFC 8032 known answer the same through libsodium and a pkcs8-imported WebCrypto key', async () => {
    const sodiumSigner = sodiumSignerFromSeed(RFC8032_SEED);
    const webCrypto = webCryptoSigner(await importSeedNonExtractable(RFC8032_SEED));
    expect(toHex(sodiumSigner.publicKey)).toBe(RFC8032_PUBLIC);
    expect(toHex(webCrypto.publicKey)).toBe(RFC8032_PUBLIC);
    expect(toHex(await sodiumSigner.sign(RFC8032_MESSAGE))).toBe(RFC8032_SIGNATURE);
    expect(toHex(await webCrypto.sign(RFC8032_MESSAGE))).toBe(RFC8032_SIGNATURE);
  });

  it('gives byte-identical signatures for any seed and message, which libsodium verifies', async () => {
    for (let i = 0; i < 20; i++) {
      const seed = sodium().randombytes_buf(32);
      const message = sodium().randombytes_buf(i * 37);
      const a = await sodiumSignerFromSeed(seed).sign(message);
      const imported = await importSeedNonExtractable(seed);
      const b = await webCryptoSigner(imported).sign(message);
      expect(toHex(b)).toBe(toHex(a));
      expect(sodium().crypto_sign_verify_detached(b, message, imported.publicKey)).toBe(true);
    }
  });

  it('imports a seed as a key that cannot be exported in any format', async () => {
    const { privateKey } = await importSeedNonExtractable(sodium().randombytes_buf(32));
    expect(privateKey.extractable).toBe(false);
    expect(privateKey.usages).toEqual(['sign']);
    for (const format of ['pkcs8', 'raw', 'jwk'] as const) await expect(crypto.subtle.exportKey(format, privateKey)).rejects.toThrow();
  });

  it('refuses a seed of the wrong length with a clear error', () => {
    expect(() => seedToPkcs8(new Uint8Array(31))).toThrow(CodecError);
    expect(seedToPkcs8(new Uint8Array(32).fill(1))).toHaveLength(48);
  });
});
