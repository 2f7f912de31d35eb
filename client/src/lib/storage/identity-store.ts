// This browser profile's long-term Ed25519 identity, kept in IndexedDB (store "identity", key
// "self"), created on first use (docs/decisions/0019-non-extractable-identity-keys.md). Where the
// engine can both make a WebCrypto Ed25519 key and store it (structured-clone it into IndexedDB),
// the record is `{ kind: 'webcrypto', privateKey, publicKey }` with a non-extractable private key:
// a script on the origin can ask the browser to sign with it while it runs there, but cannot read
// the key's bytes or take it away. Elsewhere (WebKit without Ed25519) the record is the libsodium
// seed in crypto/identity.ts's encoding. A seed record from before is imported once into a
// non-extractable key and replaced in one read-write transaction; the public key, and with it
// contacts and safety numbers, stays the same. If two tabs race, the first write wins and both
// end up with the same key. The key never leaves the browser.
import {
  decodeIdentity,
  encodeIdentity,
  equalBytes,
  generateIdentity,
  generateWebCryptoKey,
  identitySeed,
  importSeedNonExtractable,
  type Signer,
  sodiumReady,
  webCryptoSigner,
  type WebCryptoKeyPair,
} from '../../../../crypto/index';
import { getValue, Store, updateValue, withDb } from './idb';

const KEY = 'self';

interface WebCryptoRecord extends WebCryptoKeyPair {
  readonly kind: 'webcrypto';
}

/** What the store holds: a non-extractable WebCrypto key, or the libsodium seed's encoding. */
type StoredIdentity = WebCryptoRecord | Uint8Array;

/** The one atomic step the identity needs from IndexedDB, so tests can run it on a map. */
export interface IdentityRecordStore {
  /** The record as stored, unchecked; undefined when there is none. */
  get(): Promise<unknown>;
  /**
   * In one read-write transaction: read the record, write `update(read)` in its place, and return
   * what was written. Rejects, writing nothing, when the value cannot be stored (DataCloneError).
   */
  update<T>(update: (stored: unknown) => T): Promise<T>;
}

/** How this engine makes WebCrypto keys; each rejects where it has no Ed25519. */
export interface KeyMaker {
  generate(): Promise<WebCryptoKeyPair>;
  importSeed(seed: Uint8Array): Promise<WebCryptoKeyPair>;
}

const WEBCRYPTO: KeyMaker = { generate: generateWebCryptoKey, importSeed: importSeedNonExtractable };

const IDB_STORE: IdentityRecordStore = {
  get: () => withDb((db) => getValue(db, Store.identity, KEY)),
  update: (update) => withDb((db) => updateValue(db, Store.identity, KEY, update)),
};

let cached: Promise<Signer> | undefined;

/** The identity of this browser profile, created (or migrated) on first call. */
export function loadIdentity(): Promise<Signer> {
  cached ??= sodiumReady()
    .then(() => openIdentity(IDB_STORE))
    .catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
  return cached;
}

function isWebCryptoRecord(value: unknown): value is WebCryptoRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v['kind'] === 'webcrypto' && v['privateKey'] instanceof CryptoKey && v['publicKey'] instanceof Uint8Array && v['publicKey'].length === 32;
}

function signerOf(stored: StoredIdentity): Signer {
  return stored instanceof Uint8Array ? decodeIdentity(stored) : webCryptoSigner(stored);
}

/** The stored record, checked; undefined when there is none. Throws for one in no known form (kept, not overwritten). */
function known(stored: unknown): StoredIdentity | undefined {
  if (stored === undefined) return undefined;
  if (stored instanceof Uint8Array) {
    decodeIdentity(stored); // throws a typed error for an unknown version or a damaged record
    return stored;
  }
  if (isWebCryptoRecord(stored)) return stored;
  throw new Error('the stored identity is in no form this version knows; it was left as it is');
}

/** Read, migrate or create the identity in `store`. */
export async function openIdentity(store: IdentityRecordStore, keys: KeyMaker = WEBCRYPTO): Promise<Signer> {
  const stored = known(await store.get());
  if (stored === undefined) return create(store, keys);
  if (stored instanceof Uint8Array) return migrate(store, keys, stored);
  return webCryptoSigner(stored);
}

async function create(store: IdentityRecordStore, keys: KeyMaker): Promise<Signer> {
  const made = await keys.generate().catch(() => undefined);
  if (made !== undefined) {
    const record: WebCryptoRecord = { kind: 'webcrypto', ...made };
    try {
      return signerOf(await store.update((s) => known(s) ?? record));
    } catch (error) {
      if (!isCloneError(error)) throw error;
      // This engine makes Ed25519 keys but cannot store them: keep a seed instead.
    }
  }
  const seed = encodeIdentity(generateIdentity());
  return signerOf(await store.update((s) => known(s) ?? seed));
}

/** Import a seed record into a non-extractable key and replace it, once; the seed stays where that cannot be done. */
async function migrate(store: IdentityRecordStore, keys: KeyMaker, bytes: Uint8Array): Promise<Signer> {
  const seed = identitySeed(bytes);
  let made: WebCryptoKeyPair;
  try {
    made = await keys.importSeed(seed);
  } catch {
    return decodeIdentity(bytes); // no WebCrypto Ed25519 here
  } finally {
    seed.fill(0);
  }
  const record: WebCryptoRecord = { kind: 'webcrypto', ...made };
  try {
    // Another tab may have migrated meanwhile: its record is the same key, keep it.
    return signerOf(await store.update((s) => (s instanceof Uint8Array && equalBytes(s, bytes) ? record : (known(s) ?? record))));
  } catch (error) {
    if (!isCloneError(error)) throw error;
    return decodeIdentity(bytes); // this engine cannot store the key: keep the seed
  }
}

function isCloneError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'DataCloneError';
}
