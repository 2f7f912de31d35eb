// This browser profile's long-term Ed25519 identity, kept in IndexedDB (store "identity", key
// "self") in the versioned encoding of crypto/identity.ts. It is created on first use; if two tabs
// race, the first write wins and both end up with the same key. The key never leaves the browser.
import { sodiumReady, decodeIdentity, encodeIdentity, generateIdentity, type IdentityKeyPair } from '../../../../crypto/index';
import { addOrGetBytes, getBytes, Store, withDb } from './idb';

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
  return withDb(async (db) => {
    const stored = await getBytes(db, Store.identity, KEY);
    if (stored !== undefined) return decodeIdentity(stored);
    return decodeIdentity(await addOrGetBytes(db, Store.identity, KEY, encodeIdentity(generateIdentity())));
  });
}
