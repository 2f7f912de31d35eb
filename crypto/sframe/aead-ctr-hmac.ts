// AES-CTR with truncated HMAC, the encrypt-then-MAC AEAD of RFC 9605 §4.5.1 (suites 1-3, 6-8).
//
//   enc_key  = key[..Nka]                 auth_key = key[Nka..]   (Nh bytes)
//   ct       = AES-CTR(enc_key, counter block = nonce || 00 00 00 00, pt)
//   tag      = HMAC(auth_key, auth_data)[..Nt]
//
//   auth_data:
//   +--------------+-------------+-------------+-----------+-----+----+
//   | u64 len(aad) | u64 len(ct) | u64 Nt      | nonce(12) | aad | ct |
//   +--------------+-------------+-------------+-----------+-----+----+
//
// The tag is checked (in constant time over its Nt bytes) before anything is decrypted.
import { equalBytes } from '../bytes';
import { type Aead } from './aead';
import { bufferSource, subtle } from './webcrypto';

const COUNTER_SUFFIX_BYTES = 4;

function authData(nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array, tagBytes: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(24 + nonce.length + aad.length + ct.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(aad.length));
  view.setBigUint64(8, BigInt(ct.length));
  view.setBigUint64(16, BigInt(tagBytes));
  out.set(nonce, 24);
  out.set(aad, 24 + nonce.length);
  out.set(ct, 24 + nonce.length + aad.length);
  return out;
}

export async function importAesCtrHmac(key: Uint8Array, encKeyBytes: number, hash: 'SHA-256' | 'SHA-512', tagBytes: number): Promise<Aead> {
  const s = subtle();
  const [encKey, authKey] = await Promise.all([
    s.importKey('raw', bufferSource(key.slice(0, encKeyBytes)), 'AES-CTR', false, ['encrypt', 'decrypt']),
    s.importKey('raw', bufferSource(key.slice(encKeyBytes)), { name: 'HMAC', hash }, false, ['sign']),
  ]);
  const ctrParams = (nonce: Uint8Array) => {
    const counter = new Uint8Array(nonce.length + COUNTER_SUFFIX_BYTES);
    counter.set(nonce);
    // The low 32 bits are the block counter; AES-CTR never wraps them for a frame below 64 GiB.
    return { name: 'AES-CTR', counter, length: COUNTER_SUFFIX_BYTES * 8 };
  };
  const tag = async (nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array): Promise<Uint8Array> =>
    new Uint8Array(await s.sign('HMAC', authKey, authData(nonce, aad, ct, tagBytes)), 0, tagBytes);

  const aead: Aead = {
    tagLength: tagBytes,
    sealThen: (nonce, aad, plaintext, finish) => aead.seal(nonce, aad, plaintext).then(finish),
    openThen: (nonce, aad, ciphertext, finish) => aead.open(nonce, aad, ciphertext).then(finish),
    async seal(callerNonce, callerAad, plaintext) {
      // Copied before the first await: the caller may reuse its buffers once seal returns (aead.ts).
      const nonce = callerNonce.slice();
      const aad = callerAad.slice();
      const ct = new Uint8Array(await s.encrypt(ctrParams(nonce), encKey, bufferSource(plaintext)));
      const out = new Uint8Array(ct.length + tagBytes);
      out.set(ct);
      out.set(await tag(nonce, aad, ct), ct.length);
      return out;
    },
    async open(callerNonce, callerAad, ciphertext) {
      if (ciphertext.length < tagBytes) return undefined;
      const nonce = callerNonce.slice();
      const aad = callerAad.slice();
      const ct = ciphertext.subarray(0, ciphertext.length - tagBytes);
      const expected = await tag(nonce, aad, ct);
      if (!equalBytes(expected, ciphertext.subarray(ciphertext.length - tagBytes))) return undefined;
      return new Uint8Array(await s.decrypt(ctrParams(nonce), encKey, bufferSource(ct)));
    },
  };
  return aead;
}
