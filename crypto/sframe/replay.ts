// Sliding replay window over one sender key's SFrame counters (RFC 9605 §7.4 and §9.3 leave replay
// protection to the application; this is the bitmap scheme of RFC 4303 §3.4.3 / RFC 3711 §3.3.2).
//
//   counters:  ... [top - size + 1 ...................... top] | top + 1 ...
//                   \__ one bit each: seen or not ________/     always new
//
// A counter at or below top - size is too old to judge and is refused; one inside the window
// is refused if its bit is set. The bits live in a ring indexed by CTR mod size.
//
// Two steps, because opening a frame is asynchronous: `check` before decrypting (cheap early
// drop), `accept` only after the tag verified. `accept` checks again, so two copies of one frame
// opened concurrently cannot both pass.
import { ParameterError, ReplayError, Reason } from '../errors';

export const DEFAULT_REPLAY_WINDOW = 1024;
const MIN_WINDOW = 32;
const MAX_WINDOW = 1 << 16;

export function assertWindowSize(size: number): void {
  if (!Number.isInteger(size) || size < MIN_WINDOW || size > MAX_WINDOW || (size & (size - 1)) !== 0) {
    throw new ParameterError(Reason.outOfRange, `replay window must be a power of two in [${MIN_WINDOW}, ${MAX_WINDOW}]`);
  }
}

export class ReplayWindow {
  readonly size: number;
  /** Names the key in error messages, e.g. "KID 197 (epoch 3, sender 5)". */
  readonly label: string;
  private readonly bits: Uint32Array;
  private readonly mask: bigint;
  /** Highest accepted counter; -1 before the first. */
  private top = -1n;

  constructor(size: number = DEFAULT_REPLAY_WINDOW, label = 'SFrame key') {
    assertWindowSize(size);
    this.size = size;
    this.label = label;
    this.bits = new Uint32Array(size / 32);
    this.mask = BigInt(size - 1);
  }

  /** Highest counter accepted so far, or undefined. */
  get highest(): bigint | undefined {
    return this.top < 0n ? undefined : this.top;
  }

  /** Throws ReplayError(replayed) if `ctr` was accepted before or is below the window. */
  check(ctr: bigint): void {
    if (ctr > this.top) return;
    if (this.top - ctr >= BigInt(this.size)) {
      throw new ReplayError(Reason.replayed, `${this.label}: CTR ${ctr} is below the replay window (highest ${this.top})`);
    }
    if (this.isSet(ctr)) throw new ReplayError(Reason.replayed, `${this.label}: CTR ${ctr} was already received`);
  }

  /** Records an authenticated counter. Throws like `check` if it is no longer acceptable. */
  accept(ctr: bigint): void {
    this.check(ctr);
    if (ctr > this.top) this.advance(ctr);
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
