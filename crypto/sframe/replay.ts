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

export class ReplayWindow {
  readonly size: number;
  /** Names the key in error messages, e.g. "KID 197 (epoch 3, sender 5)". */
  readonly label: string;
  private readonly bits: Uint32Array;
  private readonly mask: bigint;
  private readonly bound: ForwardBound | undefined;
  /** Highest accepted counter; -1 before the first. */
  private top = -1n;
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
    this.mask = BigInt(size - 1);
    this.bound = bound;
  }

  /** Highest counter accepted so far, or undefined. */
  get highest(): bigint | undefined {
    return this.top < 0n ? undefined : this.top;
  }

  /**
   * Throws ReplayError(replayed) if `ctr` was accepted before or is below the window, and
   * ReplayError(too-far-ahead) if it is beyond the forward bound at time `nowMs`.
   */
  check(ctr: bigint, nowMs = 0): void {
    if (ctr > this.top) {
      if (this.bound !== undefined && this.top >= 0n) {
        const elapsed = Math.max(0, nowMs - this.topAt) / 1000;
        const allowed = BigInt(Math.floor(this.bound.base + this.bound.perSecond * elapsed));
        if (ctr - this.top > allowed) {
          throw new ReplayError(Reason.tooFarAhead, `${this.label}: CTR ${ctr} is ${ctr - this.top} ahead of the highest (${this.top}); at most ${allowed} allowed now`);
        }
      }
      return;
    }
    if (this.top - ctr >= BigInt(this.size)) {
      throw new ReplayError(Reason.replayed, `${this.label}: CTR ${ctr} is below the replay window (highest ${this.top})`);
    }
    if (this.isSet(ctr)) throw new ReplayError(Reason.replayed, `${this.label}: CTR ${ctr} was already received`);
  }

  /** Records an authenticated counter. Throws like `check` if it is no longer acceptable. */
  accept(ctr: bigint, nowMs = 0): void {
    this.check(ctr, nowMs);
    if (ctr > this.top) {
      this.advance(ctr);
      this.topAt = nowMs;
    }
    const index = Number(ctr & this.mask);
    this.bits[index >>> 5] = (this.bits[index >>> 5] as number) | (1 << (index & 31));
  }

  private isSet(ctr: bigint): boolean {
    const index = Number(ctr & this.mask);
    return ((this.bits[index >>> 5] as number) & (1 << (index & 31))) !== 0;
  }

  /** Moves top to `ctr`, clearing the bits of the counters that slide into the window. */
  private advance(ctr: bigint): void {
    const distance = ctr - this.top;
    if (distance >= BigInt(this.size)) {
      this.bits.fill(0);
    } else {
      for (let c = this.top + 1n; c <= ctr; c++) {
        const index = Number(c & this.mask);
        this.bits[index >>> 5] = (this.bits[index >>> 5] as number) & ~(1 << (index & 31));
      }
    }
    this.top = ctr;
  }
}
