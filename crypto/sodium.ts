// The one owner of libsodium's asynchronous `ready`. Everything else in crypto/ calls `sodium()`
// synchronously, after the application (or a test's setup) has awaited `sodiumReady()` once.
import libsodium from 'libsodium-wrappers';

export type Sodium = typeof libsodium;

let loaded: Sodium | undefined;

/** Load libsodium's WebAssembly. Idempotent; safe to await from several places. */
export async function sodiumReady(): Promise<Sodium> {
  await libsodium.ready;
  loaded = libsodium;
  return libsodium;
}

/** libsodium, after `sodiumReady()` resolved. Throws a plain Error if called too early. */
export function sodium(): Sodium {
  if (loaded === undefined) throw new Error('sodium() called before sodiumReady() resolved');
  return loaded;
}
