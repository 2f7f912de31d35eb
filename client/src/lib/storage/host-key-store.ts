// This profile's per-room host keys (docs/decisions/0017-host-authority-and-server-limits.md), in
// IndexedDB (store "host-keys", key = room id). A per-room host key is a fresh Ed25519 key, not the
// identity key, so the server cannot link one person's rooms; with it a page answers the server's
// host challenge and signs hand-overs (crypto/host-authority.ts). Where the browser has WebCrypto
// Ed25519 the private key is a non-extractable CryptoKey: stored as the object itself, so no script
// on the origin can read its bytes, only ask the browser to sign. Elsewhere it is libsodium's secret
// key bytes (crypto/ generateHostKey). Forgotten with the room's other keys.
import { generateHostKey, signHostStatement, type HostKeyPair } from '../../../../crypto/index';
import { type HostSigner } from '../session/host-desk';
import { deleteKey, Store, updateValue, withDb } from './idb';

type StoredHostKey =
  | { readonly kind: 'webcrypto'; readonly privateKey: CryptoKey; readonly publicKey: Uint8Array }
  | { readonly kind: 'sodium'; readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };

/** A fresh key, made with WebCrypto when it can (non-extractable), else with libsodium. */
export async function newHostKey(): Promise<StoredHostKey> {
  try {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    return { kind: 'webcrypto', privateKey: pair.privateKey, publicKey };
  } catch {
    const pair: HostKeyPair = generateHostKey();
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

function signerOf(key: StoredHostKey): HostSigner {
  return {
    publicKey: key.publicKey,
    sign: async (message) => {
      if (key.kind === 'sodium') return signHostStatement({ publicKey: key.publicKey, secretKey: key.secretKey }, message);
      return new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, message as Uint8Array<ArrayBuffer>));
    },
  };
}

/**
 * The room's host key of this profile: the one stored, or `fresh` (or a new one) stored now. Two
 * tabs racing end up with the same key. Null when IndexedDB cannot be used: the page then
 * cannot be (or become) the host.
 */
export async function roomHostKey(roomId: string, fresh?: StoredHostKey): Promise<HostSigner | null> {
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
