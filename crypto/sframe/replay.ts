// Sliding replay window over one sender key's SFrame counters (RFC 9605 §7.4 and §9.3 leave replay
// protection to the application; this is the bitmap scheme of RFC 4303 §3.4.3 / RFC 3711 §3.3.2).
//
//   counters:  ... [top - size + 1 ...................... top] | top + 1 ...
//                   \__ one bit each: seen or not ________/     always new
//
// A counter at or below top - size is too old to judge and is refused; one inside the window
// is refused if its bit is set. The bits live in a ring indexed by CTR mod size.
//
// A window can be given a forward bound, so that one frame cannot poison it: without one, a single
// authentic frame at CTR 2^40 (any member can seal one under any member's KID) moves top so far that
// every genuine frame after it is "below the window". With a bound, a counter more than
//   base + perSecond * (seconds since the last accepted counter)
// ahead of top is refused (ReplayError too-far-ahead) and moves nothing. The time comes from the
// caller (this module reads no clock). A window's first counter is unbounded: a late joiner meets a
// sender mid-stream.
//
// Two steps, because opening a frame is asynchronous: `check` before decrypting (cheap early
// drop), `accept` only after the tag verified. `accept` checks again, so two copies of one frame
// opened concurrently cannot both pass.
import { ParameterError, ReplayError, Reason } from '../errors';
import { DEFAULT_REPLAY_WINDOW, MAX_REPLAY_WINDOW, MIN_REPLAY_WINDOW } from '../limits';
import { assertU64, highHalf, joinU64, lowHalf } from './header';


export function assertWindowSize(size: number): void {
  if (!Number.isInteger(size) || size < MIN_REPLAY_WINDOW || size > MAX_REPLAY_WINDOW || (size & (size - 1)) !== 0) {
    throw new ParameterError(Reason.outOfRange, `replay window must be a power of two in [${MIN_REPLAY_WINDOW}, ${MAX_REPLAY_WINDOW}]`);
  }
}

/** How far one accepted counter may move a window ahead of its top. */
export interface ForwardBound {
  /** Always allowed, whatever the time (counters, not frames: every track of a sender shares them). */
  readonly base: number;
  /** Allowed on top of `base` per second since the last accepted counter. */
  readonly perSecond: number;
}

/** 2^32, and the high-half distance from which a counter difference stops being exact as a number. */
const TWO_32 = 0x1_0000_0000;
const EXACT_HI_DISTANCE = 0x10_0000;

export class ReplayWindow {
  readonly size: number;
  /** Names the key in error messages, e.g. "KID 197 (epoch 3, sender 5)". */
  readonly label: string;
  private readonly bits: Uint32Array;
  private readonly mask: number;
  private readonly bound: ForwardBound | undefined;
  /** Highest accepted counter as 32-bit halves; meaningless while `empty`. */
  private empty = true;
  private topHi = 0;
  private topLo = 0;
  /** When top was accepted (caller's clock, ms); only read with a bound. */
  private topAt = 0;

  constructor(size: number = DEFAULT_REPLAY_WINDOW, label = 'SFrame key', bound?: ForwardBound) {
    assertWindowSize(size);
    if (bound !== undefined && !(bound.base >= 0 && bound.perSecond >= 0)) {
      throw new ParameterError(Reason.outOfRange, 'a forward bound is made of non-negative numbers');
    }
    this.size = size;
    this.label = label;
    this.bits = new Uint32Array(size / 32);
    this.mask = size - 1;
    this.bound = bound;
  }

  /** Highest counter accepted so far, or undefined. */
  get highest(): bigint | undefined {
    return this.empty ? undefined : joinU64(this.topHi, this.topLo);
  }

  /**
   * Throws ReplayError(replayed) if `ctr` was accepted before or is below the window, and
   * ReplayError(too-far-ahead) if it is beyond the forward bound at time `nowMs`.
   */
  check(ctr: bigint, nowMs = 0): void {
    assertU64(ctr, 'CTR');
    this.checkHalves(highHalf(ctr), lowHalf(ctr), nowMs);
  }

  /** Records an authenticated counter. Throws like `check` if it is no longer acceptable. */
  accept(ctr: bigint, nowMs = 0): void {
    assertU64(ctr, 'CTR');
    this.acceptHalves(highHalf(ctr), lowHalf(ctr), nowMs);
  }

  /** `check` for the counter hi:lo (32-bit halves), with numbers only. */
  checkHalves(hi: number, lo: number, nowMs: number): void {
    if (this.empty) return;
    const dHi = hi - this.topHi;
    if (dHi > 0 || (dHi === 0 && lo > this.topLo)) {
      if (this.bound !== undefined) this.checkAhead(hi, lo, dHi, nowMs);
      return;
    }
    // At or below top: hi differs by at most 2^32, so this is exact, or far above any window size.
    const behind = -dHi * TWO_32 + (this.topLo - lo);
    if (behind >= this.size) {
      throw new ReplayError(Reason.replayed, `${this.label}: CTR ${joinU64(hi, lo)} is below the replay window (highest ${this.highest})`);
    }
    if (this.isSet(lo)) throw new ReplayError(Reason.replayed, `${this.label}: CTR ${joinU64(hi, lo)} was already received`);
  }

  /** `accept` for the counter hi:lo. */
  acceptHalves(hi: number, lo: number, nowMs: number): void {
    this.checkHalves(hi, lo, nowMs);
    if (this.empty || hi > this.topHi || (hi === this.topHi && lo > this.topLo)) {
      this.advance(hi, lo);
      this.topAt = nowMs;
    }
    const index = lo & this.mask;
    this.bits[index >>> 5] = (this.bits[index >>> 5] as number) | (1 << (index & 31));
  }

  /** The forward bound for a counter above top (`dHi` = hi - topHi >= 0). */
  private checkAhead(hi: number, lo: number, dHi: number, nowMs: number): void {
    const bound = this.bound as ForwardBound;
    const elapsed = Math.max(0, nowMs - this.topAt) / 1000;
    const allowed = Math.floor(bound.base + bound.perSecond * elapsed);
    // Exact as a number while the halves differ by less than 2^20; beyond that, in BigInt (never on the hot path).
    const tooFar = dHi < EXACT_HI_DISTANCE ? dHi * TWO_32 + (lo - this.topLo) > allowed : joinU64(hi, lo) - joinU64(this.topHi, this.topLo) > BigInt(allowed);
    if (tooFar) {
      const ctr = joinU64(hi, lo);
      const top = joinU64(this.topHi, this.topLo);
      throw new ReplayError(Reason.tooFarAhead, `${this.label}: CTR ${ctr} is ${ctr - top} ahead of the highest (${top}); at most ${allowed} allowed now`);
    }
  }

  private isSet(lo: number): boolean {
    const index = lo & this.mask;
    return ((this.bits[index >>> 5] as number) & (1 << (index & 31))) !== 0;
  }

  /** Moves top to hi:lo, clearing the bits of the counters that slide into the window. */
  private advance(hi: number, lo: number): void {
    // From "nothing accepted" (top = -1) the distance is ctr + 1; either way only "< size" matters.
    const distance = this.empty ? hi * TWO_32 + lo + 1 : (hi - this.topHi) * TWO_32 + (lo - this.topLo);
    if (distance >= this.size) {
      this.bits.fill(0);
    } else {
      // The size divides 2^32, so a counter's bit is its low half mod size, across any carry.
      for (let n = 0, index = (lo - distance + 1) & this.mask; n < distance; n++, index = (index + 1) & this.mask) {
        this.bits[index >>> 5] = (this.bits[index >>> 5] as number) & ~(1 << (index & 31));
      }
    }
    this.empty = false;
    this.topHi = hi;
    this.topLo = lo;
  }
}
