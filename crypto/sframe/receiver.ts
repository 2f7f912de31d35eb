// The receiving side of SFrame for the media hot path (RFC 9605 §4.4.4, §7.4, §9.3).
//
// Keys are added and removed by KID by the caller (the epoch layer decides which KIDs are live
// and for how long). Each held KID has its own replay window; only frames whose tag verified
// move it. Errors, all of which mean "drop the frame":
//   CodecError       truncated/malformed header, body shorter than the tag
//   UnknownKeyError  no key for the KID: unknown-sender if another key of that epoch is held,
//                    unknown-epoch otherwise (RFC 9605 §4.4.4 lets the caller buffer and retry)
//   ReplayError      replayed: CTR already received, or below the window
//   VerificationError auth-failed: any altered header, metadata, ciphertext or tag byte
// Removing a KID drops its window; the epoch layer never re-adds a removed KID.
//
// Counter spaces: with `counterSpaceBits` = b, a CTR is read as (space << b) | n and each space of
// a KID has its own replay window (a sender that restarts continues in a fresh space, see
// crypto/epoch.ts), at most `maxSpacesPerKey` of them, the least recently used forgotten first.
// A space's window is made only once a frame of it authenticated, so garbage makes no state.
// With `forwardBound`, one frame cannot move a window arbitrarily far ahead (replay.ts).
import { type SFrameKey, openFrame, prepareSFrameKey } from './frame';
import { type SFrameHeaderFields, joinU64, kidNumber, readSFrameHeader } from './header';
import { KID_SENDER_BITS } from '../limits';
import { describeKid, unknownKeyError } from './kid';
import { ParameterError, Reason } from '../errors';
import { DEFAULT_REPLAY_WINDOW } from '../limits';
import { type ForwardBound, ReplayWindow, assertWindowSize } from './replay';
import { type SFrameDecrypted } from './sframe';
import { type CipherSuite, DEFAULT_MEDIA_SUITE, suiteParams } from './suites';

const NO_METADATA = new Uint8Array(0);
const MAX_SAFE_KID = BigInt(Number.MAX_SAFE_INTEGER);

export interface SFrameReceiverOptions {
  /** Counters remembered per KID; a power of two, default 1024. */
  readonly replayWindow?: number;
  /** KID bits holding the sender index, used only to word errors. Default 6. */
  readonly kidSenderBits?: number;
  /** Low CTR bits of one counter space; the bits above name the space. Default 64 (one space). */
  readonly counterSpaceBits?: number;
  /** Replay windows kept per KID, one per counter space. Default 4. */
  readonly maxSpacesPerKey?: number;
  /** Forward bound of every window; default none. */
  readonly forwardBound?: ForwardBound;
}

/** The replay windows of one KID, one per counter space, and the one used last (no Map work when it is used again). */
class SpaceWindows {
  /** Counter space -> its window, least recently used first. */
  readonly map = new Map<number, ReplayWindow>();
  lastSpace = -1;
  last: ReplayWindow | undefined;

  /** The space's window without reordering, or undefined. */
  peek(space: number): ReplayWindow | undefined {
    return space === this.lastSpace ? this.last : this.map.get(space);
  }
}

interface ReceiverKey {
  readonly key: SFrameKey;
  readonly windows: SpaceWindows;
}

/**
 * A received frame's header, parsed once, and the key it names if that KID is held. Made by
 * `SFrameReceiver.parse`, consumed by `SFrameReceiver.open`; a caller may check the KID in between.
 */
export class ParsedSFrame {
  constructor(
    /** The receiver that parsed it: only that one may open it. */
    readonly by: SFrameReceiver,
    readonly kid: bigint,
    readonly header: SFrameHeaderFields,
    /** The key that receiver held for the KID when parsed. */
    readonly held: ReceiverKey | undefined,
  ) {}

  get ctr(): bigint {
    return joinU64(this.header.ctrHi, this.header.ctrLo);
  }
}

export class SFrameReceiver {
  readonly suite: CipherSuite;
  private readonly windowSize: number;
  private readonly senderBits: number;
  private readonly spaceBits: number;
  private readonly maxSpaces: number;
  private readonly bound: ForwardBound | undefined;
  private readonly keys = new Map<bigint, ReceiverKey>();
  /** The same keys by KID as a number, for every KID below 2^53. */
  private readonly keysByNumber = new Map<number, ReceiverKey>();

  constructor(suite: CipherSuite = DEFAULT_MEDIA_SUITE, options: SFrameReceiverOptions = {}) {
    suiteParams(suite);
    this.suite = suite;
    this.windowSize = options.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    this.senderBits = options.kidSenderBits ?? KID_SENDER_BITS;
    assertWindowSize(this.windowSize);
    const spaceBits = options.counterSpaceBits ?? 64;
    this.maxSpaces = options.maxSpacesPerKey ?? 4;
    if (!Number.isInteger(spaceBits) || spaceBits < 16 || spaceBits > 64 || !Number.isInteger(this.maxSpaces) || this.maxSpaces < 1) {
      throw new ParameterError(Reason.outOfRange, 'counter spaces: 16..64 bits, at least one window per KID');
    }
    this.spaceBits = spaceBits;
    this.bound = options.forwardBound;
  }

  /** Derives and holds the key for `kid`. Adding a KID already held replaces the key, keeps its window. */
  async addKey(kid: bigint, baseKey: Uint8Array): Promise<void> {
    const key = await prepareSFrameKey(this.suite, baseKey, kid);
    const held: ReceiverKey = { key, windows: this.keys.get(kid)?.windows ?? new SpaceWindows() };
    this.keys.set(kid, held);
    if (kid <= MAX_SAFE_KID) this.keysByNumber.set(Number(kid), held);
  }

  /** Forgets the key and its replay window. True if a key was held. */
  removeKey(kid: bigint): boolean {
    if (kid <= MAX_SAFE_KID) this.keysByNumber.delete(Number(kid));
    return this.keys.delete(kid);
  }

  hasKey(kid: bigint): boolean {
    return this.keys.has(kid);
  }

  /** KIDs currently held, in insertion order. */
  kids(): bigint[] {
    return [...this.keys.keys()];
  }

  /**
   * Opens one frame (header || ciphertext || tag) with the same metadata the sender gave.
   * `nowMs` is the caller's clock, read only by the forward bound.
   */
  unprotect(frame: Uint8Array, metadata: Uint8Array = NO_METADATA, nowMs = 0): Promise<SFrameDecrypted> {
    let parsed: ParsedSFrame;
    try {
      parsed = this.parse(frame);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.open(parsed, frame, metadata, nowMs, (plaintext) => ({ kid: parsed.kid, ctr: parsed.ctr, plaintext }));
  }

  /** Step 1 of unprotect: parses the header (CodecError if malformed) and finds the KID's key. Nothing else is checked yet. */
  parse(frame: Uint8Array): ParsedSFrame {
    const header = readSFrameHeader(frame);
    const asNumber = kidNumber(header);
    const held = asNumber >= 0 ? this.keysByNumber.get(asNumber) : this.keys.get(joinU64(header.kidHi, header.kidLo));
    return new ParsedSFrame(this, held?.key.kid ?? joinU64(header.kidHi, header.kidLo), header, held);
  }

  /**
   * Step 2: rejects with UnknownKeyError if the KID was not held when parsed, ReplayError if its
   * window refuses the CTR, else opens `frame` (the bytes `parsed` came from) and resolves with
   * `finish(plaintext)`. Only a frame whose tag verified moves a window, and its window is checked
   * again then; `finish` runs only after that.
   */
  open<T>(parsed: ParsedSFrame, frame: Uint8Array, metadata: Uint8Array, nowMs: number, finish: (plaintext: Uint8Array) => T): Promise<T> {
    const held = parsed.held;
    const { ctrHi, ctrLo } = parsed.header;
    let space: number;
    try {
      if (parsed.by !== this) throw new ParameterError(Reason.outOfRange, 'a frame parsed by another SFrameReceiver cannot be opened here');
      if (held === undefined) throw unknownKeyError(parsed.kid, this.keys.keys(), this.senderBits, 'receiver');
      space = this.spaceOf(ctrHi, ctrLo);
      held.windows.peek(space)?.checkHalves(ctrHi, ctrLo, nowMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const windows = held.windows;
    return openFrame(held.key, parsed.header, frame, metadata, (plaintext) => {
      // Only now: a frame that failed authentication moves and makes nothing.
      this.windowFor(windows, parsed.kid, space).acceptHalves(ctrHi, ctrLo, nowMs);
      return finish(plaintext);
    });
  }

  /** The counter space of hi:lo: its bits above `counterSpaceBits`, at most 48 of them, so always a safe number. */
  private spaceOf(hi: number, lo: number): number {
    const b = this.spaceBits;
    if (b === 64) return 0;
    if (b >= 32) return Math.floor(hi / 2 ** (b - 32));
    return hi * 2 ** (32 - b) + (lo >>> b);
  }

  private windowFor(windows: SpaceWindows, kid: bigint, space: number): ReplayWindow {
    if (space === windows.lastSpace && windows.last !== undefined) return windows.last; // already the most recent
    const map = windows.map;
    let window = map.get(space);
    if (window === undefined) {
      window = new ReplayWindow(this.windowSize, `${describeKid(kid, this.senderBits)} space ${space}`, this.bound);
      if (map.size >= this.maxSpaces) map.delete(map.keys().next().value as number);
    }
    map.delete(space); // re-insert: most recently used last
    map.set(space, window);
    windows.lastSpace = space;
    windows.last = window;
    return window;
  }
}
