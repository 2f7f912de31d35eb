// The server's side of host authority (docs/decisions/0017-host-authority-and-server-limits.md):
// the host role at the server is bound to the room's per-room host key, not to a bearer secret.
// A connection that would hold the host role gets a fresh challenge nonce and must answer with the
// host key's signature of crypto/host-authority.ts hostProofMessage(room id, nonce); a hand-over
// commit must carry the outgoing host key's signature naming the incoming key. Signatures are
// checked here with node:crypto's Ed25519; the byte formats are crypto/'s pure encoders.
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { fromBase64Url, handOverMessage, HOST_NONCE_BYTES, hostProofMessage, participantIdBytes, roomIdBytes, toBase64Url } from '../crypto/index';

const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

/** Raw bytes of a base64url Ed25519 public key, or null if it is not one. */
export function hostKeyBytes(text: string): Uint8Array | null {
  try {
    const bytes = fromBase64Url(text);
    return bytes.length === ED25519_KEY_BYTES && toBase64Url(bytes) === text ? bytes : null;
  } catch {
    return null;
  }
}

function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signatureText: string): boolean {
  try {
    const signature = fromBase64Url(signatureText);
    if (signature.length !== ED25519_SIGNATURE_BYTES || publicKey.length !== ED25519_KEY_BYTES) return false;
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(publicKey) }, format: 'jwk' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

export function newNonce(): Uint8Array {
  return new Uint8Array(randomBytes(HOST_NONCE_BYTES));
}

/** True when `signature` is the host key's over this room's challenge `nonce`. */
export function checkHostProof(hostKey: Uint8Array, roomId: string, nonce: Uint8Array, signature: string): boolean {
  return verifyEd25519(hostKey, hostProofMessage(roomIdBytes(roomId), nonce), signature);
}

/** True when `signature` is the outgoing host key's statement that `to` (with `toHostKey`) takes over at `epoch`. */
export function checkHandOver(outgoingHostKey: Uint8Array, roomId: string, epoch: number, to: string, toHostKey: Uint8Array, signature: string): boolean {
  try {
    return verifyEd25519(outgoingHostKey, handOverMessage(roomIdBytes(roomId), epoch, participantIdBytes(to), toHostKey), signature);
  } catch {
    return false;
  }
}
