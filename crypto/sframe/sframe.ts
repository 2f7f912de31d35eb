// Stateless SFrame encrypt/decrypt, RFC 9605 §4.4.3 and §4.4.4, with the key schedule cached.
//
// Derived keys are cached per base-key object (WeakMap, so they go when the caller drops the
// key), then per (suite, KID). Each cache entry keeps a copy of the base key and is re-derived
// if the caller's bytes changed, and at most MAX_KIDS_PER_BASE_KEY KIDs are kept per base key
// (oldest dropped), since sframeDecrypt derives a key for whatever KID a header names. No replay
// window and no KID allow-list here: untrusted media goes through SFrameReceiver.
import { equalBytes } from '../bytes';
import { MAX_KIDS_PER_BASE_KEY } from '../limits';
import { type SFrameKey, openFrame, prepareSFrameKey, sealFrame } from './frame';
import { assertU64, highHalf, joinU64, lowHalf, readSFrameHeader } from './header';
import { assertBaseKey } from './keys';
import { type CipherSuite, suiteParams } from './suites';

export interface SFrameEncryptInput {
  readonly suite: CipherSuite;
  readonly baseKey: Uint8Array;
  readonly kid: bigint;
  readonly ctr: bigint;
  readonly metadata: Uint8Array;
  readonly plaintext: Uint8Array;
}

export interface SFrameDecryptInput {
  readonly suite: CipherSuite;
  readonly baseKey: Uint8Array;
  readonly metadata: Uint8Array;
  /** header || ciphertext || tag, as sframeEncrypt returns it. */
  readonly ciphertext: Uint8Array;
}

export interface SFrameDecrypted {
  readonly kid: bigint;
  readonly ctr: bigint;
  readonly plaintext: Uint8Array;
}

interface CacheEntry {
  readonly baseKeyCopy: Uint8Array;
  readonly key: Promise<SFrameKey>;
}

const cache = new WeakMap<Uint8Array, Map<string, CacheEntry>>();

function cachedKey(suite: CipherSuite, baseKey: Uint8Array, kid: bigint): Promise<SFrameKey> {
  suiteParams(suite);
  assertBaseKey(baseKey);
  assertU64(kid, 'KID');
  let perBase = cache.get(baseKey);
  if (perBase === undefined) {
    perBase = new Map();
    cache.set(baseKey, perBase);
  }
  const id = `${suite}:${kid}`;
  const hit = perBase.get(id);
  if (hit !== undefined && equalBytes(hit.baseKeyCopy, baseKey)) return hit.key;
  const entry: CacheEntry = { baseKeyCopy: baseKey.slice(), key: prepareSFrameKey(suite, baseKey, kid) };
  perBase.delete(id);
  if (perBase.size >= MAX_KIDS_PER_BASE_KEY) perBase.delete(perBase.keys().next().value as string);
  perBase.set(id, entry);
  const map = perBase;
  entry.key.catch(() => {
    if (map.get(id) === entry) map.delete(id);
  });
  return entry.key;
}

/** header || ciphertext || tag (§4.4.3). The caller must never repeat a (baseKey, KID, CTR). */
export async function sframeEncrypt(input: SFrameEncryptInput): Promise<Uint8Array> {
  assertU64(input.ctr, 'CTR');
  const key = await cachedKey(input.suite, input.baseKey, input.kid);
  return sealFrame(key, highHalf(input.ctr), lowHalf(input.ctr), input.metadata, input.plaintext);
}

/** Parses the header, derives (or reuses) the KID's key, and opens the frame (§4.4.4). */
export async function sframeDecrypt(input: SFrameDecryptInput): Promise<SFrameDecrypted> {
  const header = readSFrameHeader(input.ciphertext);
  const kid = joinU64(header.kidHi, header.kidLo);
  const key = await cachedKey(input.suite, input.baseKey, kid);
  return openFrame(key, header, input.ciphertext, input.metadata, (plaintext) => ({ kid, ctr: joinU64(header.ctrHi, header.ctrLo), plaintext }));
}
