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
import { assertU64 } from './header';
import { U64_MAX } from '../limits';
import { KID_SENDER_BITS } from '../limits';
import { describeKid, unknownKeyError } from './kid';
import { type CipherSuite, DEFAULT_MEDIA_SUITE, suiteParams } from './suites';

const NO_METADATA = new Uint8Array(0);

export class SFrameSender {
  readonly suite: CipherSuite;
  private readonly keys = new Map<bigint, SFrameKey>();
  private readonly nextCtr = new Map<bigint, bigint>();
  /** Per KID, the first counter it may no longer use (its counter space's end). */
  private readonly endCtr = new Map<bigint, bigint>();

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
    const previous = this.nextCtr.get(kid) ?? 0n;
    this.nextCtr.set(kid, firstCounter > previous ? firstCounter : previous);
    this.endCtr.set(kid, endCounter);
    this.keys.set(kid, key);
  }

  /** Forgets the key (its counter position is kept). True if a key was held. */
  removeKey(kid: bigint): boolean {
    return this.keys.delete(kid);
  }

  hasKey(kid: bigint): boolean {
    return this.keys.has(kid);
  }

  /** The CTR the next frame under `kid` will carry, or undefined for a KID never added. */
  nextCounter(kid: bigint): bigint | undefined {
    return this.nextCtr.get(kid);
  }

  /**
   * header || ciphertext || tag for one frame, with `metadata` authenticated but not included.
   * `lead`, if given, is copied unchanged in front of the output (media framing's clear prefix).
   * The counter is taken synchronously, so concurrent calls get distinct counters. Never throws:
   * every failure is a rejected promise.
   */
  protect(kid: bigint, plaintext: Uint8Array, metadata: Uint8Array = NO_METADATA, lead?: Uint8Array): Promise<Uint8Array> {
    const key = this.keys.get(kid);
    if (key === undefined) return Promise.reject(unknownKeyError(kid, this.keys.keys(), KID_SENDER_BITS, 'sender'));
    const ctr = this.nextCtr.get(kid) ?? 0n;
    if (ctr >= (this.endCtr.get(kid) ?? U64_MAX + 1n)) {
      return Promise.reject(new ParameterError(Reason.counterExhausted, `sender used every counter of ${describeKid(kid)}`));
    }
    this.nextCtr.set(kid, ctr + 1n);
    return sealFrame(key, ctr, metadata, plaintext, lead);
  }
}
