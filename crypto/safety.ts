// Verification codes people compare out of band.
//
// Call security code (one per epoch, the same on every honest screen):
//   b      = kdf(commitHash, "code/call", u8 version = 1, 36 bytes)
//   digits = b[0..30) as six 5-byte big-endian integers, each mod 100000, zero-padded,
//            "12345 67890 ..." (30 digits in 6 groups)
//   words  = b[30..36), one word per byte from words.ts (6 words); the bytes are kept as `indexes`,
//            which words-fr.ts and words-ar.ts render in French and Arabic: the code is the same
//            in every language, only the spoken form differs
// The commit hash covers the room, the epoch, the previous commit, the host key and every
// member's identity key, room key and index, so the code changes whenever any of them does.
//
// Pairwise safety number (libsignal's construction, with our own label and version):
//   per key K:  h = SHA-512(u16 version || K || "sealroom/v1/code/safety-number")
//               5200 times: h = SHA-512(h || K)
//               half = h[0..30) as six 5-byte big-endian integers mod 100000 -> 30 digits
//   number   = the two halves in ascending order, concatenated: 60 digits in 12 groups of 5
// Scannable form:  u8 version | lower half (30 bytes) | higher half (30 bytes)   = 61 bytes
import { Reader, Writer, equalBytes, utf8 } from './bytes';
import { PUBLIC_KEY_BYTES, assertLength } from './identity';
import { kdf } from './kdf';
import { Label } from './labels';
import { sodium } from './sodium';
import { checkVersion } from './version';
import { WORDS } from './words';

const CALL_CODE_VERSION = 1;
const SAFETY_NUMBER_VERSION = 1;
const SAFETY_NUMBER_ITERATIONS = 5200;
const CHUNK_BYTES = 5;
const HALF_BYTES = 30;
const CODE_WORDS = 6;

export interface CallCode {
  /** 30 digits in 6 groups of 5, separated by single spaces. */
  readonly digits: string;
  /** 6 words from the 256-word English list. */
  readonly words: readonly string[];
  /** The 6 bytes the words stand for (0-255): an index into any language's 256-word list. */
  readonly indexes: readonly number[];
}

export function callCode(commitHash: Uint8Array): CallCode {
  assertLength(commitHash, 32, 'commit hash');
  const b = kdf(commitHash, Label.callCode, Uint8Array.of(CALL_CODE_VERSION), HALF_BYTES + CODE_WORDS);
  return {
    digits: digitGroups(b.subarray(0, HALF_BYTES)).join(' '),
    words: [...b.subarray(HALF_BYTES)].map((byte) => WORDS[byte] as string),
    indexes: [...b.subarray(HALF_BYTES)],
  };
}

/** 60 digits in 12 groups of 5; the same whichever side computes it. */
export function safetyNumber(identityKeyA: Uint8Array, identityKeyB: Uint8Array): string {
  return sortedHalves(identityKeyA, identityKeyB)
    .flatMap((half) => digitGroups(half))
    .join(' ');
}

/** The versioned bytes a QR code carries; compare with matchesScannedSafetyNumber. */
export function safetyNumberBytes(identityKeyA: Uint8Array, identityKeyB: Uint8Array): Uint8Array {
  const [low, high] = sortedHalves(identityKeyA, identityKeyB);
  return new Writer().u8(SAFETY_NUMBER_VERSION).bytes(low).bytes(high).finish();
}

export function decodeSafetyNumberBytes(bytes: Uint8Array): { readonly halves: readonly [Uint8Array, Uint8Array] } {
  const r = new Reader(bytes, 'scanned safety number');
  checkVersion(r.u8(), SAFETY_NUMBER_VERSION, 'scanned safety number');
  const low = r.bytes(HALF_BYTES);
  const high = r.bytes(HALF_BYTES);
  r.end();
  return { halves: [low, high] };
}

/** True when a scanned code is the one these two keys give. Throws CodecError/VersionError for damaged input. */
export function matchesScannedSafetyNumber(identityKeyA: Uint8Array, identityKeyB: Uint8Array, scanned: Uint8Array): boolean {
  const { halves } = decodeSafetyNumberBytes(scanned);
  const [low, high] = sortedHalves(identityKeyA, identityKeyB);
  return equalBytes(halves[0], low) && equalBytes(halves[1], high);
}

function sortedHalves(a: Uint8Array, b: Uint8Array): [Uint8Array, Uint8Array] {
  const ha = half(a);
  const hb = half(b);
  return digitGroups(ha).join('') <= digitGroups(hb).join('') ? [ha, hb] : [hb, ha];
}

/** The first 30 bytes of the iterated SHA-512 of one identity key. */
function half(identityKey: Uint8Array): Uint8Array {
  assertLength(identityKey, PUBLIC_KEY_BYTES, 'identity key');
  const s = sodium();
  let h = s.crypto_hash(new Writer().u16(SAFETY_NUMBER_VERSION).bytes(identityKey).bytes(utf8(Label.safetyNumber)).finish());
  const input = new Uint8Array(h.length + identityKey.length);
  input.set(identityKey, h.length);
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) {
    input.set(h, 0);
    h = s.crypto_hash(input);
  }
  return h.subarray(0, HALF_BYTES);
}

/** Each 5-byte chunk as a big-endian integer mod 100000, zero-padded to 5 digits. */
function digitGroups(bytes: Uint8Array): string[] {
  const groups: string[] = [];
  for (let i = 0; i + CHUNK_BYTES <= bytes.length; i += CHUNK_BYTES) {
    let value = 0;
    for (let j = 0; j < CHUNK_BYTES; j++) value = value * 256 + (bytes[i + j] as number);
    groups.push(String(value % 100000).padStart(5, '0'));
  }
  return groups;
}
