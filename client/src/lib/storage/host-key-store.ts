// This profile's per-room host keys (docs/decisions/0017-host-authority-and-server-limits.md), in
// IndexedDB (store "host-keys", key = room id). A per-room host key is a fresh Ed25519 key, not the
// identity key, so the server cannot link one person's rooms; with it a page answers the server's
// host challenge and signs hand-overs (crypto/host-authority.ts). Where the browser has WebCrypto
// Ed25519 the private key is a non-extractable CryptoKey (crypto/signer.ts, as the identity's: storage/identity-store.ts): stored as the object itself, so no script
// on the origin can read its bytes, only ask the browser to sign. Elsewhere it is libsodium's secret
// key bytes (crypto/ generateHostKey). Forgotten with the room's other keys.
import { generateHostKey, generateWebCryptoKey, type Signer, sodiumSigner, webCryptoSigner } from '../../../../crypto/index';
import { deleteKey, Store, updateValue, withDb } from './idb';

type StoredHostKey =
  | { readonly kind: 'webcrypto'; readonly privateKey: CryptoKey; readonly publicKey: Uint8Array }
  | { readonly kind: 'sodium'; readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };

/** A fresh key, made with WebCrypto when it can (non-extractable), else with libsodium. */
export async function newHostKey(): Promise<StoredHostKey> {
  try {
    return { kind: 'webcrypto', ...(await generateWebCryptoKey()) };
  } catch {
    const pair = generateHostKey();
    return { kind: 'sodium', secretKey: pair.secretKey, publicKey: pair.publicKey };
  }
}

function isStored(value: unknown): value is StoredHostKey {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (!(v['publicKey'] instanceof Uint8Array) || v['publicKey'].length !== 32) return false;
  if (v['kind'] === 'webcrypto') return v['privateKey'] instanceof CryptoKey;
  return v['kind'] === 'sodium' && v['secretKey'] instanceof Uint8Array && v['secretKey'].length === 64;
}

function signerOf(key: StoredHostKey): Signer {
  return key.kind === 'sodium' ? sodiumSigner(key) : webCryptoSigner(key);
}

/**
 * The room's host key of this profile: the one stored, or `fresh` (or a new one) stored now. Two
 * tabs racing end up with the same key. Null when IndexedDB cannot be used: the page then
 * cannot be (or become) the host.
 */
export async function roomHostKey(roomId: string, fresh?: StoredHostKey): Promise<Signer | null> {
  const candidate = fresh ?? (await newHostKey());
  try {
    const stored = await withDb((db) => updateValue<StoredHostKey>(db, Store.hostKeys, roomId, (existing) => (isStored(existing) ? existing : candidate)));
    return signerOf(stored);
  } catch {
    return null;
  }
}

export function forgetRoomHostKey(roomId: string): Promise<void> {
  return withDb((db) => deleteKey(db, Store.hostKeys, roomId));
}
