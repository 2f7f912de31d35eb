// The identity record at rest (client/src/lib/storage/identity-store.ts), on an in-memory store
// that clones values as IndexedDB does: a new identity is a non-extractable WebCrypto key where
// the engine can make and store one; an old seed record is migrated once, keeping its public key;
// engines without Ed25519, or that cannot store the key, keep a libsodium seed; two tabs racing
// end with one identity; a record in no known form is refused and left alone.
import { describe, expect, it } from 'vitest';
import { decodeIdentity, encodeIdentity, generateIdentity, sodium, sodiumReady, VersionError } from '../../crypto/index';
import { type IdentityRecordStore, type KeyMaker, openIdentity } from '../../client/src/lib/storage/identity-store';

await sodiumReady();

/** One record, written through structuredClone like IndexedDB; `cloneKeys: false` is an engine that cannot store a CryptoKey. */
class MemoryStore implements IdentityRecordStore {
  value: unknown;
  writes = 0;
  constructor(
    value?: unknown,
    readonly cloneKeys = true,
  ) {
    this.value = value;
  }
  get(): Promise<unknown> {
    return Promise.resolve(this.value === undefined ? undefined : structuredClone(this.value));
  }
  update<T>(update: (stored: unknown) => T): Promise<T> {
    try {
      const next = update(this.value === undefined ? undefined : structuredClone(this.value));
      if (!this.cloneKeys && typeof next === 'object' && next !== null && Object.values(next).some((v) => v instanceof CryptoKey)) {
        throw new DOMException('a CryptoKey could not be cloned', 'DataCloneError');
      }
      this.value = structuredClone(next);
      this.writes++;
      return Promise.resolve(next);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

const NO_ED25519: KeyMaker = {
  generate: () => Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError')),
  importSeed: () => Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError')),
};

const message = new TextEncoder().encode('a commit body');

/** The private key bytes a record holds, if any: every byte array but the public key. */
function secretBytesIn(record: unknown, publicKey: Uint8Array): Uint8Array[] {
  if (record instanceof Uint8Array) return [record];
  return Object.values(record as object).filter((v): v is Uint8Array => v instanceof Uint8Array && Buffer.compare(v, publicKey) !== 0);
}

describe('identity store', () => {
  it('[ID1] creates a non-extractable WebCrypto key and stores no private key bytes', async () => {
    const store = new MemoryStore();
    const identity = await openIdentity(store);
    const record = store.value as { kind: string; privateKey: CryptoKey; publicKey: Uint8Array };
    expect(record.kind).toBe('webcrypto');
    expect(record.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', record.privateKey)).rejects.toThrow();
    expect(secretBytesIn(record, identity.publicKey)).toEqual([]);
    expect(sodium().crypto_sign_verify_detached(await identity.sign(message), message, identity.publicKey)).toBe(true);
    expect((await openIdentity(store)).publicKey).toEqual(identity.publicKey);
  });

  it('[ID1] migrates a seed record once into a non-extractable key with the same public key', async () => {
    const old = generateIdentity();
    const store = new MemoryStore(encodeIdentity(old));
    const migrated = await openIdentity(store);
    expect(migrated.publicKey).toEqual(old.publicKey); // contacts and safety numbers survive
    const record = store.value as { kind: string; privateKey: CryptoKey };
    expect(record.kind).toBe('webcrypto');
    expect(record.privateKey.extractable).toBe(false);
    expect(secretBytesIn(record, old.publicKey)).toEqual([]);
    // Ed25519 is deterministic: the migrated key signs exactly as the seed did.
    expect(await migrated.sign(message)).toEqual(await old.sign(message));
    const writes = store.writes;
    expect((await openIdentity(store)).publicKey).toEqual(old.publicKey);
    expect(store.writes).toBe(writes); // read as is, not migrated again
  });

  it('keeps a libsodium seed where the engine has no WebCrypto Ed25519, and migrates nothing', async () => {
    const store = new MemoryStore(undefined);
    const identity = await openIdentity(store, NO_ED25519);
    expect(store.value).toBeInstanceOf(Uint8Array);
    expect(decodeIdentity(store.value as Uint8Array).publicKey).toEqual(identity.publicKey);
    expect(sodium().crypto_sign_verify_detached(await identity.sign(message), message, identity.publicKey)).toBe(true);
    const seedRecord = store.value;
    expect((await openIdentity(store, NO_ED25519)).publicKey).toEqual(identity.publicKey);
    expect(store.value).toEqual(seedRecord);
  });

  it('keeps a seed where the engine makes Ed25519 keys but cannot store them (DataCloneError)', async () => {
    const fresh = new MemoryStore(undefined, false);
    const identity = await openIdentity(fresh);
    expect(fresh.value).toBeInstanceOf(Uint8Array);
    expect(decodeIdentity(fresh.value as Uint8Array).publicKey).toEqual(identity.publicKey);
    const old = generateIdentity();
    const legacy = new MemoryStore(encodeIdentity(old), false);
    expect((await openIdentity(legacy)).publicKey).toEqual(old.publicKey);
    expect(legacy.value).toEqual(encodeIdentity(old)); // the seed, untouched
  });

  it('ends two tabs racing on first use with one identity', async () => {
    const store = new MemoryStore();
    const [a, b] = await Promise.all([openIdentity(store), openIdentity(store)]);
    expect(a.publicKey).toEqual(b.publicKey);
    expect((await openIdentity(store)).publicKey).toEqual(a.publicKey);
    const old = generateIdentity();
    const legacy = new MemoryStore(encodeIdentity(old));
    const [c, d] = await Promise.all([openIdentity(legacy), openIdentity(legacy)]);
    expect([c.publicKey, d.publicKey]).toEqual([old.publicKey, old.publicKey]);
  });

  it('refuses a record in no known form, or of an unknown version, and leaves it as it was', async () => {
    const odd = new MemoryStore({ kind: 'something-else' });
    await expect(openIdentity(odd)).rejects.toThrow(/no form this version knows/);
    expect(odd.value).toEqual({ kind: 'something-else' });
    const future = new MemoryStore(Uint8Array.of(9, ...new Uint8Array(32)));
    await expect(openIdentity(future)).rejects.toThrow(VersionError);
    expect(future.writes).toBe(0);
  });
});
