// SFrame key schedule and nonce, RFC 9605 §4.4.2 and §4.4.3, on WebCrypto HKDF (RFC 5869).
//
//   sframe_secret = HKDF-Extract(salt = "", IKM = base_key)
//   sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  || u64(KID) || u16(suite), Nk)
//   sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " || u64(KID) || u16(suite), Nn)
//   nonce         = sframe_salt XOR u<Nn>(CTR)                      (CTR big-endian, left-padded)
//
// WebCrypto's HKDF does Extract then Expand in one call; with an empty salt, Extract keys HMAC
// with HashLen zero bytes (RFC 5869 §2.2), exactly as §4.4.2 asks. The KID is the full 8-byte
// value here, not the compact header form (§4.4.2). Labels come from crypto/labels.ts.
import { concat, u16, u64, utf8 } from '../bytes';
import { ParameterError, Reason } from '../errors';
import { Label } from '../labels';
import { assertU64, highHalf, lowHalf } from './header';
import { type CipherSuite, type SuiteParams, suiteParams } from './suites';
import { bufferSource, subtle } from './webcrypto';

export interface SFrameKeyMaterial {
  readonly sframeKey: Uint8Array;
  readonly sframeSalt: Uint8Array;
}

/** Base keys shorter than 128 bits are refused; RFC 9605 leaves the length to the application. */
const BASE_KEY_MIN_BYTES = 16;
const BASE_KEY_MAX_BYTES = 64;

export function assertBaseKey(baseKey: Uint8Array): void {
  if (!(baseKey instanceof Uint8Array) || baseKey.length < BASE_KEY_MIN_BYTES || baseKey.length > BASE_KEY_MAX_BYTES) {
    throw new ParameterError(Reason.badKeyLength, `SFrame base key must be ${BASE_KEY_MIN_BYTES}-${BASE_KEY_MAX_BYTES} bytes`);
  }
}

const keyLabelPrefix = utf8(Label.sframeKey);
const saltLabelPrefix = utf8(Label.sframeSalt);

/** "SFrame 1.0 Secret key " || KID (u64 BE) || suite (u16 BE). */
export function sframeKeyLabel(kid: bigint, suite: CipherSuite): Uint8Array {
  assertU64(kid, 'KID');
  return concat(keyLabelPrefix, u64(kid), u16(suite));
}

/** "SFrame 1.0 Secret salt " || KID (u64 BE) || suite (u16 BE). */
export function sframeSaltLabel(kid: bigint, suite: CipherSuite): Uint8Array {
  assertU64(kid, 'KID');
  return concat(saltLabelPrefix, u64(kid), u16(suite));
}

async function hkdf(params: SuiteParams, ikm: CryptoKey, info: Uint8Array, length: number): Promise<Uint8Array> {
  const algorithm = { name: 'HKDF', hash: params.hash, salt: new Uint8Array(0), info: bufferSource(info) };
  return new Uint8Array(await subtle().deriveBits(algorithm, ikm, length * 8));
}

/** Derives sframe_key (Nk bytes) and sframe_salt (Nn bytes) for one KID under one suite. */
export async function deriveSFrameKeyMaterial(suite: CipherSuite, baseKey: Uint8Array, kid: bigint): Promise<SFrameKeyMaterial> {
  const params = suiteParams(suite);
  assertBaseKey(baseKey);
  assertU64(kid, 'KID');
  const ikm = await subtle().importKey('raw', bufferSource(baseKey), 'HKDF', false, ['deriveBits']);
  const [sframeKey, sframeSalt] = await Promise.all([
    hkdf(params, ikm, sframeKeyLabel(kid, suite), params.Nk),
    hkdf(params, ikm, sframeSaltLabel(kid, suite), params.Nn),
  ]);
  return { sframeKey, sframeSalt };
}

/** nonce = salt XOR CTR, the CTR written big-endian into the last 8 of the Nn bytes (§4.4.3). */
export function sframeNonce(salt: Uint8Array, ctr: bigint): Uint8Array {
  assertU64(ctr, 'CTR');
  const nonce = new Uint8Array(salt.length);
  writeNonce(nonce, salt, highHalf(ctr), lowHalf(ctr));
  return nonce;
}

/** The same nonce for the CTR hi:lo, written into `out` (salt.length bytes): no allocation, no BigInt. */
export function writeNonce(out: Uint8Array, salt: Uint8Array, ctrHi: number, ctrLo: number): void {
  const n = salt.length;
  for (let i = 0; i < n - 8; i++) out[i] = salt[i] as number;
  out[n - 8] = (salt[n - 8] as number) ^ (ctrHi >>> 24);
  out[n - 7] = (salt[n - 7] as number) ^ ((ctrHi >>> 16) & 0xff);
  out[n - 6] = (salt[n - 6] as number) ^ ((ctrHi >>> 8) & 0xff);
  out[n - 5] = (salt[n - 5] as number) ^ (ctrHi & 0xff);
  out[n - 4] = (salt[n - 4] as number) ^ (ctrLo >>> 24);
  out[n - 3] = (salt[n - 3] as number) ^ ((ctrLo >>> 16) & 0xff);
  out[n - 2] = (salt[n - 2] as number) ^ ((ctrLo >>> 8) & 0xff);
  out[n - 1] = (salt[n - 1] as number) ^ (ctrLo & 0xff);
}
