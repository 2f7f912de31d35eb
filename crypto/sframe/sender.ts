// The sending side of SFrame for the media hot path (RFC 9605 §4.4.1, §9.1).
//
// One SFrameSender per participant and process, shared by every track and simulcast layer that
// participant sends, so one counter per KID covers them all. Keys are added by KID (the caller
// computes KIDs and picks which one each frame uses, e.g. to delay an epoch switch). Each KID's
// counter starts at 0 (or `firstCounter`), only goes up, survives removeKey/addKey of the same KID
// in this object, and stops with ParameterError(counter-exhausted) after 2^64-1: a (key, CTR) is
// never sealed twice here. Across restarts, uniqueness rests on never reusing a base key (each
// epoch has a fresh one). Sender keys are for encryption only (§4.4.1): never give them to a receiver.
import { ParameterError, Reason } from '../errors';
import { type SFrameKey, prepareSFrameKey, sealFrame } from './frame';
import { assertU64, highHalf, joinU64, lowHalf } from './header';
import { U64_MAX } from '../limits';
import { KID_SENDER_BITS } from '../limits';
import { describeKid, unknownKeyError } from './kid';
import { type CipherSuite, DEFAULT_MEDIA_SUITE, suiteParams } from './suites';

const NO_METADATA = new Uint8Array(0);
const TWO_32 = 0x1_0000_0000;

/**
 * One KID's counter as 32-bit halves (hi:lo), and the first counter it may no longer use (its
 * counter space's end, up to 2^64 = 2^32:0). `key` is absent after removeKey; the counter stays.
 */
interface SendCounter {
  key: SFrameKey | undefined;
  hi: number;
  lo: number;
  endHi: number;
  endLo: number;
}

export class SFrameSender {
  readonly suite: CipherSuite;
  private readonly counters = new Map<bigint, SendCounter>();

  constructor(suite: CipherSuite = DEFAULT_MEDIA_SUITE) {
    suiteParams(suite);
    this.suite = suite;
  }

  /**
   * Derives and holds the key for `kid`. Its next counter becomes max(previous next, firstCounter),
   * so a KID seen before never goes back; counters from `endCounter` on (default 2^64) are never
   * used: protect() fails with counter-exhausted instead.
   */
  async addKey(kid: bigint, baseKey: Uint8Array, firstCounter = 0n, endCounter = U64_MAX + 1n): Promise<void> {
    assertU64(firstCounter, 'CTR');
    if (endCounter <= firstCounter || endCounter > U64_MAX + 1n) throw new ParameterError(Reason.outOfRange, 'a counter range must be non-empty and within u64');
    const key = await prepareSFrameKey(this.suite, baseKey, kid);
    const counter = this.counters.get(kid);
    const previous = counter === undefined ? 0n : joinU64(counter.hi, counter.lo);
    const next = firstCounter > previous ? firstCounter : previous;
    const fields: SendCounter = { key, hi: highHalf(next), lo: lowHalf(next), endHi: highHalf(endCounter), endLo: lowHalf(endCounter) };
    if (counter === undefined) this.counters.set(kid, fields);
    else Object.assign(counter, fields);
  }

  /** Forgets the key (its counter position is kept). True if a key was held. */
  removeKey(kid: bigint): boolean {
    const counter = this.counters.get(kid);
    if (counter?.key === undefined) return false;
    counter.key = undefined;
    return true;
  }

  hasKey(kid: bigint): boolean {
    return this.counters.get(kid)?.key !== undefined;
  }

  /** The CTR the next frame under `kid` will carry, or undefined for a KID never added. */
  nextCounter(kid: bigint): bigint | undefined {
    const counter = this.counters.get(kid);
    return counter === undefined ? undefined : joinU64(counter.hi, counter.lo);
  }

  /**
   * header || ciphertext || tag for one frame, with `metadata` authenticated but not included.
   * `lead`, if given, is copied unchanged in front of the output (media framing's clear prefix).
   * The counter is taken synchronously, so concurrent calls get distinct counters. Never throws:
   * every failure is a rejected promise.
   */
  protect(kid: bigint, plaintext: Uint8Array, metadata: Uint8Array = NO_METADATA, lead?: Uint8Array): Promise<Uint8Array> {
    const counter = this.counters.get(kid);
    const key = counter?.key;
    if (counter === undefined || key === undefined) return Promise.reject(unknownKeyError(kid, this.heldKids(), KID_SENDER_BITS, 'sender'));
    const { hi, lo } = counter;
    if (hi > counter.endHi || (hi === counter.endHi && lo >= counter.endLo)) {
      return Promise.reject(new ParameterError(Reason.counterExhausted, `sender used every counter of ${describeKid(kid)}`));
    }
    // hi:lo + 1, carrying into the high half; after 2^64-1 the high half reaches 2^32, at or past every end.
    if (lo === TWO_32 - 1) {
      counter.hi = hi + 1;
      counter.lo = 0;
    } else {
      counter.lo = lo + 1;
    }
    return sealFrame(key, hi, lo, metadata, plaintext, lead);
  }

  private *heldKids(): Iterable<bigint> {
    for (const [kid, counter] of this.counters) if (counter.key !== undefined) yield kid;
  }
}
