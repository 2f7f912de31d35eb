// SFrame cipher suites: RFC 9605 §4.5 (Table 1) and the registry of §8.1, suites 1-5.
// Suites 6-8 (AES-256-CTR with HMAC-SHA-512) are the 256-bit variants of §4.5.1 proposed in
// draft-barnes-sframe-iana-256; the SFrame WG's test-vector file carries AEAD vectors for them.
//
//   hash  HKDF hash of the key schedule (§4.4.2), and HMAC hash of the CTR+HMAC AEAD (§4.5.1)
//   Nh    hash output size          Nka  AES key size inside a CTR+HMAC key (null for GCM)
//   Nk    AEAD key size             Nn   nonce size          Nt   tag size (bytes)
import { ParameterError, Reason } from '../errors';

export const CipherSuite = {
  AES_128_CTR_HMAC_SHA256_80: 1,
  AES_128_CTR_HMAC_SHA256_64: 2,
  AES_128_CTR_HMAC_SHA256_32: 3,
  AES_128_GCM_SHA256_128: 4,
  AES_256_GCM_SHA512_128: 5,
  AES_256_CTR_HMAC_SHA512_80: 6,
  AES_256_CTR_HMAC_SHA512_64: 7,
  AES_256_CTR_HMAC_SHA512_32: 8,
} as const;
export type CipherSuite = (typeof CipherSuite)[keyof typeof CipherSuite];

export const SUITES = {
  1: { name: 'AES_128_CTR_HMAC_SHA256_80', aead: 'aes-ctr-hmac', hash: 'SHA-256', Nh: 32, Nka: 16, Nk: 48, Nn: 12, Nt: 10, source: 'RFC 9605' },
  2: { name: 'AES_128_CTR_HMAC_SHA256_64', aead: 'aes-ctr-hmac', hash: 'SHA-256', Nh: 32, Nka: 16, Nk: 48, Nn: 12, Nt: 8, source: 'RFC 9605' },
  3: { name: 'AES_128_CTR_HMAC_SHA256_32', aead: 'aes-ctr-hmac', hash: 'SHA-256', Nh: 32, Nka: 16, Nk: 48, Nn: 12, Nt: 4, source: 'RFC 9605' },
  4: { name: 'AES_128_GCM_SHA256_128', aead: 'aes-gcm', hash: 'SHA-256', Nh: 32, Nka: null, Nk: 16, Nn: 12, Nt: 16, source: 'RFC 9605' },
  5: { name: 'AES_256_GCM_SHA512_128', aead: 'aes-gcm', hash: 'SHA-512', Nh: 64, Nka: null, Nk: 32, Nn: 12, Nt: 16, source: 'RFC 9605' },
  6: { name: 'AES_256_CTR_HMAC_SHA512_80', aead: 'aes-ctr-hmac', hash: 'SHA-512', Nh: 64, Nka: 32, Nk: 96, Nn: 12, Nt: 10, source: 'draft-barnes-sframe-iana-256' },
  7: { name: 'AES_256_CTR_HMAC_SHA512_64', aead: 'aes-ctr-hmac', hash: 'SHA-512', Nh: 64, Nka: 32, Nk: 96, Nn: 12, Nt: 8, source: 'draft-barnes-sframe-iana-256' },
  8: { name: 'AES_256_CTR_HMAC_SHA512_32', aead: 'aes-ctr-hmac', hash: 'SHA-512', Nh: 64, Nka: 32, Nk: 96, Nn: 12, Nt: 4, source: 'draft-barnes-sframe-iana-256' },
} as const satisfies Record<CipherSuite, SuiteParams>;

export interface SuiteParams {
  readonly name: string;
  readonly aead: 'aes-gcm' | 'aes-ctr-hmac';
  readonly hash: 'SHA-256' | 'SHA-512';
  readonly Nh: number;
  readonly Nka: number | null;
  readonly Nk: number;
  readonly Nn: number;
  readonly Nt: number;
  readonly source: string;
}

/** Sealroom's media suite: AES_128_GCM_SHA256_128 (decision 0003). */
export const DEFAULT_MEDIA_SUITE = CipherSuite.AES_128_GCM_SHA256_128;

export function isCipherSuite(value: unknown): value is CipherSuite {
  return typeof value === 'number' && Object.hasOwn(SUITES, value);
}

/** The parameters of `suite`; ParameterError(unknown-suite) for anything else. */
export function suiteParams(suite: number): SuiteParams {
  if (!isCipherSuite(suite)) throw new ParameterError(Reason.unknownSuite, `SFrame cipher suite ${String(suite)} is not supported`);
  return SUITES[suite];
}
