// The app's one IndexedDB database ("sealroom"), its object stores, and small promise wrappers.
// Every store is created here, so the schema version has one owner:
//   identity   "self" -> this profile's Ed25519 identity (identity-store.ts)
//   room-keys  roomId -> this profile's X25519 room key for that room (room-key-store.ts)
//   contacts   identity key (base64url) -> a verified contact: name and time (contacts-store.ts)
//   host-keys  roomId -> this profile's per-room host key for that room (host-key-store.ts)
const DB_NAME = 'sealroom';
const DB_VERSION = 4;
export const Store = { identity: 'identity', roomKeys: 'room-keys', contacts: 'contacts', hostKeys: 'host-keys' } as const;
export type Store = (typeof Store)[keyof typeof Store];

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      for (const store of Object.values(Store)) {
        if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store);
      }
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

/** The value under `key`, unchecked (undefined when there is none): the caller validates what it reads. */
export function getValue(db: IDBDatabase, store: Store, key: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = db.transaction(store, 'readonly').objectStore(store).get(key);
    req.onsuccess = () => resolve(req.result as unknown);
    req.onerror = () => reject(req.error ?? new Error(`${store} could not be read`));
  });
}

/**
 * Read `key`, write `update(stored)` in its place, in one read-write transaction (so two tabs
 * never both see the same stored value), and return what was written.
 */
export function updateValue<T>(db: IDBDatabase, store: Store, key: string, update: (stored: unknown) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    const objects = tx.objectStore(store);
    const existing = objects.get(key);
    let result: T;
    existing.onsuccess = () => {
      try {
        result = update(existing.result);
        objects.put(result, key);
      } catch (error) {
        tx.abort();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error ?? new Error(`${store} could not be written`));
  });
}

/** Every value in a store, unchecked: the caller validates what it reads. */
export function getAllValues(db: IDBDatabase, store: Store): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const req = db.transaction(store, 'readonly').objectStore(store).getAll();
    req.onsuccess = () => resolve(req.result as unknown[]);
    req.onerror = () => reject(req.error ?? new Error(`${store} could not be read`));
  });
}

/** Store `value` under `key`, replacing what was there. */
export function putValue(db: IDBDatabase, store: Store, key: string, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    tx.objectStore(store).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error(`${store} could not be written`));
  });
}

export function deleteKey(db: IDBDatabase, store: Store, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    tx.objectStore(store).delete(key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error(`${store} could not be written`));
  });
}

/** Open, run, close. */
export async function withDb<T>(run: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await openDb();
  try {
    return await run(db);
  } finally {
    db.close();
  }
}
