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
import { type SFrameHeader, decodeSFrameHeader } from './header';
import { KID_SENDER_BITS } from '../limits';
import { describeKid, unknownKeyError } from './kid';
import { ParameterError, Reason } from '../errors';
import { DEFAULT_REPLAY_WINDOW } from '../limits';
import { type ForwardBound, ReplayWindow, assertWindowSize } from './replay';
import { type SFrameDecrypted } from './sframe';
import { type CipherSuite, DEFAULT_MEDIA_SUITE, suiteParams } from './suites';

const NO_METADATA = new Uint8Array(0);

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

interface ReceiverKey {
  readonly key: SFrameKey;
  /** Counter space -> its window, least recently used first. */
  readonly windows: Map<bigint, ReplayWindow>;
}

export class SFrameReceiver {
  readonly suite: CipherSuite;
  private readonly windowSize: number;
  private readonly senderBits: number;
  private readonly spaceShift: bigint;
  private readonly maxSpaces: number;
  private readonly bound: ForwardBound | undefined;
  private readonly keys = new Map<bigint, ReceiverKey>();

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
    this.spaceShift = BigInt(spaceBits);
    this.bound = options.forwardBound;
  }

  /** Derives and holds the key for `kid`. Adding a KID already held replaces the key, keeps its window. */
  async addKey(kid: bigint, baseKey: Uint8Array): Promise<void> {
    const key = await prepareSFrameKey(this.suite, baseKey, kid);
    this.keys.set(kid, { key, windows: this.keys.get(kid)?.windows ?? new Map() });
  }

  /** Forgets the key and its replay window. True if a key was held. */
  removeKey(kid: bigint): boolean {
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
    let header: SFrameHeader;
    let held: ReceiverKey | undefined;
    try {
      header = decodeSFrameHeader(frame);
      held = this.keys.get(header.kid);
      if (held === undefined) throw unknownKeyError(header.kid, this.keys.keys(), this.senderBits, 'receiver');
      held.windows.get(header.ctr >> this.spaceShift)?.check(header.ctr, nowMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const { kid, ctr } = header;
    const windows = held.windows;
    return openFrame(held.key, header, frame, metadata).then((plaintext) => {
      // Only now: a frame that failed authentication moves and makes nothing.
      this.windowFor(windows, kid, ctr).accept(ctr, nowMs);
      return { kid, ctr, plaintext };
    });
  }

  private windowFor(windows: Map<bigint, ReplayWindow>, kid: bigint, ctr: bigint): ReplayWindow {
    const space = ctr >> this.spaceShift;
    let window = windows.get(space);
    if (window === undefined) {
      window = new ReplayWindow(this.windowSize, `${describeKid(kid, this.senderBits)} space ${space}`, this.bound);
      if (windows.size >= this.maxSpaces) windows.delete(windows.keys().next().value as bigint);
    }
    windows.delete(space); // re-insert: most recently used last
    windows.set(space, window);
    return window;
  }
}
