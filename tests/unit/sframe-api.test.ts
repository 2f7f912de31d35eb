import { afterEach, describe, expect, it, vi } from 'vitest';
import { Reason, U64_MAX, sframeDecrypt, sframeEncrypt, CipherSuite, SUITES, suiteParams, subtle } from '../../crypto/index';

const plaintext = Uint8Array.from({ length: 64 }, (_, i) => i);
const metadata = Uint8Array.of(1, 2);

describe('sframeEncrypt / sframeDecrypt', () => {
  afterEach(() => vi.restoreAllMocks());

  it('derives a KID\'s key once and reuses it for every later frame', async () => {
    const spy = vi.spyOn(subtle(), 'deriveBits');
    const baseKey = new Uint8Array(16).fill(7);
    const suite = CipherSuite.AES_128_GCM_SHA256_128;
    for (let ctr = 0n; ctr < 20n; ctr++) {
      const ciphertext = await sframeEncrypt({ suite, baseKey, kid: 77n, ctr, metadata, plaintext });
      await sframeDecrypt({ suite, baseKey, metadata, ciphertext });
    }
    expect(spy).toHaveBeenCalledTimes(2); // sframe_key and sframe_salt, once
  });

  it('derives again when the caller changes the base key bytes in place', async () => {
    const baseKey = new Uint8Array(16).fill(1);
    const suite = CipherSuite.AES_128_GCM_SHA256_128;
    const first = await sframeEncrypt({ suite, baseKey, kid: 1n, ctr: 0n, metadata, plaintext });
    baseKey.fill(2);
    await expect(sframeDecrypt({ suite, baseKey, metadata, ciphertext: first })).rejects.toMatchObject({ reason: Reason.authFailed });
    const second = await sframeEncrypt({ suite, baseKey, kid: 1n, ctr: 0n, metadata, plaintext });
    expect(second).not.toEqual(first);
  });

  it('keeps working when headers name more KIDs than the per-key cache holds', async () => {
    const baseKey = new Uint8Array(16).fill(9);
    const suite = CipherSuite.AES_128_GCM_SHA256_128;
    const sealed = [];
    for (let kid = 0n; kid < 70n; kid++) sealed.push(await sframeEncrypt({ suite, baseKey, kid, ctr: kid, metadata, plaintext }));
    for (const [i, ciphertext] of sealed.entries()) expect((await sframeDecrypt({ suite, baseKey, metadata, ciphertext })).kid).toBe(BigInt(i));
  });

  it('keeps suites apart: a frame sealed under one suite does not open under another', async () => {
    const baseKey = new Uint8Array(16).fill(3);
    const ciphertext = await sframeEncrypt({ suite: CipherSuite.AES_128_CTR_HMAC_SHA256_80, baseKey, kid: 1n, ctr: 0n, metadata, plaintext });
    await expect(sframeDecrypt({ suite: CipherSuite.AES_128_CTR_HMAC_SHA256_64, baseKey, metadata, ciphertext })).rejects.toMatchObject({
      reason: Reason.authFailed,
    });
  });

  it('refuses an unknown suite, a short base key and a CTR outside u64', async () => {
    const baseKey = new Uint8Array(16);
    const good = { suite: CipherSuite.AES_128_GCM_SHA256_128, baseKey, kid: 1n, ctr: 0n, metadata, plaintext };
    await expect(sframeEncrypt({ ...good, suite: 42 as CipherSuite })).rejects.toMatchObject({ name: 'ParameterError', reason: Reason.unknownSuite });
    await expect(sframeEncrypt({ ...good, baseKey: new Uint8Array(8) })).rejects.toMatchObject({ reason: Reason.badKeyLength });
    await expect(sframeEncrypt({ ...good, ctr: U64_MAX + 1n })).rejects.toMatchObject({ reason: Reason.outOfRange });
    await expect(sframeDecrypt({ suite: good.suite, baseKey, metadata, ciphertext: new Uint8Array(0) })).rejects.toMatchObject({
      name: 'CodecError',
      reason: Reason.truncated,
    });
  });
});

describe('sframe cipher suites', () => {
  it('make every CTR+HMAC key Nka + Nh bytes, as §4.5.1 requires', () => {
    for (const params of Object.values(SUITES)) {
      if (params.Nka !== null) expect(params.Nk, params.name).toBe(params.Nka + params.Nh);
      expect(params.Nn, params.name).toBe(12);
    }
  });

  it('carry the tag length their name announces', () => {
    for (const params of Object.values(SUITES)) expect(params.Nt * 8, params.name).toBe(Number(params.name.split('_').at(-1)));
  });

  it('reject identifiers outside the table with unknown-suite', () => {
    for (const id of [0, 9, 0xffff, 1.5, Number.NaN]) expect(() => suiteParams(id)).toThrow(expect.objectContaining({ reason: Reason.unknownSuite }));
  });
});
