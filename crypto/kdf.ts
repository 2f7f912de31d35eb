// Sealroom's protocol KDF and hashes, on BLAKE2b (libsodium crypto_generichash, RFC 7693).
//
//   kdf(key, label, context, n) = BLAKE2b-n( key = key,
//                                            msg = u16(len(label)) || label || context )
//   hash(label, data)           = BLAKE2b-32( msg = u16(len(label)) || label || data )
//
// The length prefix makes (label, context) pairs injective. Keyed BLAKE2b is a PRF (RFC 7693 §4),
// so outputs under different labels are independent. SFrame's own derivation is HKDF, in sframe/.
import { Writer, utf8 } from './bytes';
import { type Label } from './labels';
import { sodium } from './sodium';

type LabelValue = (typeof Label)[keyof typeof Label];

function framed(label: LabelValue, data: Uint8Array): Uint8Array {
  return new Writer().vec16(utf8(label)).bytes(data).finish();
}

/** Derive `length` (16..64) bytes from a secret key of 16..64 bytes. */
export function kdf(key: Uint8Array, label: LabelValue, context: Uint8Array, length = 32): Uint8Array {
  return sodium().crypto_generichash(length, framed(label, context), key);
}

/** Unkeyed, labelled 32-byte hash. */
export function labelledHash(label: LabelValue, data: Uint8Array, length = 32): Uint8Array {
  return sodium().crypto_generichash(length, framed(label, data), null);
}
