// This browser profile's long-term Ed25519 identity, kept in IndexedDB (database "sealroom",
// store "identity", key "self") in the versioned encoding of crypto/identity.ts. It is created
// on first use; if two tabs race, the first write wins and both end up with the same key.
// The key never leaves the browser.
import { sodiumReady } from '../../../crypto/sodium';
import { decodeIdentity, encodeIdentity, generateIdentity, type IdentityKeyPair } from '../../../crypto/identity';

const DB_NAME = 'sealroom';
const DB_VERSION = 1;
const STORE = 'identity';
const KEY = 'self';

let cached: Promise<IdentityKeyPair> | undefined;

/** The identity of this browser profile, created on first call. */
export function loadIdentity(): Promise<IdentityKeyPair> {
  cached ??= load().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function load(): Promise<IdentityKeyPair> {
  await sodiumReady();
  const db = await open();
  try {
    const stored = await get(db);
    if (stored !== undefined) return decodeIdentity(stored);
    const fresh = generateIdentity();
    const winner = await addOrGet(db, encodeIdentity(fresh));
    return decodeIdentity(winner);
  } finally {
    db.close();
  }
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

function get(db: IDBDatabase): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const req = db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY);
    req.onsuccess = () => resolve(req.result instanceof Uint8Array ? req.result : undefined);
    req.onerror = () => reject(req.error ?? new Error('identity could not be read'));
  });
}

/** Store `encoded` unless another tab stored one first; return whichever is stored. */
function addOrGet(db: IDBDatabase, encoded: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const existing = store.get(KEY);
    let result = encoded;
    existing.onsuccess = () => {
      if (existing.result instanceof Uint8Array) result = existing.result;
      else store.add(encoded, KEY);
    };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error ?? new Error('identity could not be stored'));
  });
}
