// Symmetric wrapping of small messages under a 32-byte key: XChaCha20-Poly1305 (IETF variant).
//
//   +---------+--------------------+----------------------------------+
//   | u8 = 1  | 24-byte nonce      | ciphertext || 16-byte tag         |
//   +---------+--------------------+----------------------------------+
//   associated data = u8 version || u16 len(label) || label || caller's context
//
// Nonces are random: XChaCha20's 192-bit nonce makes collisions negligible for the message counts
// of a call (this is not the media path, where SFrame's counter nonces apply).
import { Reader, Writer, utf8 } from './bytes';
import { Reason, VerificationError, VersionError } from './errors';
import { assertLength } from './identity';
import { type Label } from './labels';
import { sodium } from './sodium';

export const WRAP_VERSION = 1;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;

type LabelValue = (typeof Label)[keyof typeof Label];

function associatedData(label: LabelValue, context: Uint8Array): Uint8Array {
  return new Writer().u8(WRAP_VERSION).vec16(utf8(label)).bytes(context).finish();
}

export function wrap(key: Uint8Array, label: LabelValue, context: Uint8Array, plaintext: Uint8Array): Uint8Array {
  assertLength(key, 32, 'wrap key');
  const s = sodium();
  const nonce = s.randombytes_buf(NONCE_BYTES);
  const ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associatedData(label, context), null, nonce, key);
  return new Writer().u8(WRAP_VERSION).bytes(nonce).bytes(ct).finish();
}

/** Throws VersionError for an unknown version, VerificationError if anything was altered or the key is wrong. */
export function unwrap(key: Uint8Array, label: LabelValue, context: Uint8Array, wrapped: Uint8Array): Uint8Array {
  assertLength(key, 32, 'wrap key');
  const r = new Reader(wrapped, 'wrapped message');
  const version = r.u8();
  if (version !== WRAP_VERSION) throw new VersionError(Reason.unknownVersion, `wrapped message version ${version} is not supported`);
  const nonce = r.bytes(NONCE_BYTES);
  const ct = r.bytes(r.remaining);
  if (ct.length < TAG_BYTES) throw new VerificationError(Reason.authFailed, 'wrapped message is too short to hold a tag');
  try {
    return sodium().crypto_aead_xchacha20poly1305_ietf_decrypt(null, ct, associatedData(label, context), nonce, key);
  } catch {
    throw new VerificationError(Reason.authFailed, 'wrapped message failed authentication');
  }
}
