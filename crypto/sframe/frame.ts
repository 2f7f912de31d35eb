// One SFrame ciphertext, RFC 9605 §4.2 and §4.4.3-4.4.4: seal and open under a prepared key.
//
//   +----------------------+--------------------------------+-------------+
//   | SFrame header (1-17) | encrypted data (= plaintext's) | tag (Nt)    |
//   +----------------------+--------------------------------+-------------+
//   AAD = header || metadata      nonce = sframe_salt XOR CTR
//
// The metadata (for media: the clear prefix the packetizer needs) is not sent by this layer;
// the caller sends it where it must be seen and passes the same bytes to both ends.
import { CodecError, Reason, VerificationError } from '../errors';
import { type Aead, importAead } from './aead';
import { type SFrameHeader, assertU64, encodeSFrameHeader } from './header';
import { assertBaseKey, deriveSFrameKeyMaterial, sframeNonce } from './keys';
import { type CipherSuite, suiteParams } from './suites';

/** The derived key of one KID under one suite: imported WebCrypto keys and the salt. */
export interface SFrameKey {
  readonly suite: CipherSuite;
  readonly kid: bigint;
  readonly salt: Uint8Array;
  readonly aead: Aead;
}

/** Runs the §4.4.2 key schedule once; the result serves every frame of that KID. */
export async function prepareSFrameKey(suite: CipherSuite, baseKey: Uint8Array, kid: bigint): Promise<SFrameKey> {
  suiteParams(suite);
  assertBaseKey(baseKey);
  assertU64(kid, 'KID');
  const { sframeKey, sframeSalt } = await deriveSFrameKeyMaterial(suite, baseKey, kid);
  return { suite, kid, salt: sframeSalt, aead: await importAead(suite, sframeKey) };
}

function associatedData(header: Uint8Array, metadata: Uint8Array): Uint8Array {
  if (metadata.length === 0) return header;
  const aad = new Uint8Array(header.length + metadata.length);
  aad.set(header);
  aad.set(metadata, header.length);
  return aad;
}

const NO_BYTES = new Uint8Array(0);

/**
 * header || AEAD.Encrypt(sframe_key, nonce, header || metadata, plaintext). The caller owns CTR
 * uniqueness. `lead` (default none) is copied unchanged in front of the result, so media framing
 * gets prefix || SFrame in one buffer with one copy; it is authenticated only if it is also in
 * `metadata`.
 */
export function sealFrame(key: SFrameKey, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array, lead: Uint8Array = NO_BYTES): Promise<Uint8Array> {
  const header = encodeSFrameHeader(key.kid, ctr);
  return key.aead.seal(sframeNonce(key.salt, ctr), associatedData(header, metadata), plaintext).then((body) => {
    const out = new Uint8Array(lead.length + header.length + body.length);
    out.set(lead);
    out.set(header, lead.length);
    out.set(body, lead.length + header.length);
    return out;
  });
}

/**
 * Opens `frame`, whose header was already parsed into `header` (so the caller could pick the key).
 * Rejects with CodecError(truncated) if the body is shorter than the tag, and with
 * VerificationError(auth-failed) if any authenticated byte (header, metadata, ciphertext, tag)
 * differs from what was sealed. Plain promise chains, no async wrappers: this is the hot path.
 */
export function openFrame(key: SFrameKey, header: SFrameHeader, frame: Uint8Array, metadata: Uint8Array): Promise<Uint8Array> {
  const body = frame.subarray(header.length);
  if (body.length < key.aead.tagLength) {
    return Promise.reject(new CodecError(Reason.truncated, `SFrame frame with KID ${header.kid} is shorter than its tag`));
  }
  const aad = associatedData(frame.subarray(0, header.length), metadata);
  return key.aead.open(sframeNonce(key.salt, header.ctr), aad, body).then((plaintext) => {
    if (plaintext === undefined) {
      throw new VerificationError(Reason.authFailed, `SFrame frame with KID ${header.kid}, CTR ${header.ctr} failed authentication`);
    }
    return plaintext;
  });
}
