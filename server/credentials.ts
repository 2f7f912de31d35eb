// Bearer credentials as the server sees them: minted from the OS CSPRNG, stored only as hashes,
// compared in constant time (crypto/bytes.ts equalBytes).
//
//   room id, participant id  128 bits, base64url (22 chars)
//   host credential, resume  256 bits, base64url (43 chars); stored as SHA-256(credential bytes)
//   access token             256 bits derived by clients from the link secret; the room stores
//                            accessVerifier = labelledHash(Label.accessVerifier, token) (crypto/kdf)
//
// The SHA-256 hashes never leave this process and hash uniformly random 256-bit values, so they
// need no domain-separation label; the access verifier is shared with clients and does use one.
import { createHash, randomBytes } from 'node:crypto';
import { equalBytes, fromBase64Url, toBase64Url, labelledHash, Label } from '../crypto/index';
import { Credential } from '../protocol/protocol';

export function newId(): string {
  return toBase64Url(randomBytes(16));
}

export function newCredential(): string {
  return toBase64Url(randomBytes(32));
}

/** Bytes of a well-formed credential, or null (wrong length, alphabet or non-canonical). */
export function credentialBytes(text: string): Uint8Array | null {
  if (!Credential.safeParse(text).success) return null;
  try {
    return fromBase64Url(text);
  } catch {
    return null;
  }
}

/** Hash under which the server stores a host credential or resume token. */
export function hashCredential(text: string): Uint8Array | null {
  const bytes = credentialBytes(text);
  return bytes === null ? null : new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** The verifier a client's access token must hash to (same derivation as crypto/link.ts). */
export function accessVerifierOf(text: string): Uint8Array | null {
  const bytes = credentialBytes(text);
  return bytes === null ? null : labelledHash(Label.accessVerifier, bytes);
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return equalBytes(a, b);
}
