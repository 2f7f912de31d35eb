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
import { type SFrameKey, openFrame, prepareSFrameKey } from './frame';
import { type SFrameHeader, decodeSFrameHeader } from './header';
import { KID_SENDER_BITS, describeKid, unknownKeyError } from './kid';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow, assertWindowSize } from './replay';
import { type SFrameDecrypted } from './sframe';
import { type CipherSuite, DEFAULT_MEDIA_SUITE, suiteParams } from './suites';

const NO_METADATA = new Uint8Array(0);

export interface SFrameReceiverOptions {
  /** Counters remembered per KID; a power of two, default 1024. */
  readonly replayWindow?: number;
  /** KID bits holding the sender index, used only to word errors. Default 6. */
  readonly kidSenderBits?: number;
}

interface ReceiverKey {
  readonly key: SFrameKey;
  readonly window: ReplayWindow;
}

export class SFrameReceiver {
  readonly suite: CipherSuite;
  private readonly windowSize: number;
  private readonly senderBits: number;
  private readonly keys = new Map<bigint, ReceiverKey>();

  constructor(suite: CipherSuite = DEFAULT_MEDIA_SUITE, options: SFrameReceiverOptions = {}) {
    suiteParams(suite);
    this.suite = suite;
    this.windowSize = options.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    this.senderBits = options.kidSenderBits ?? KID_SENDER_BITS;
    assertWindowSize(this.windowSize);
  }

  /** Derives and holds the key for `kid`. Adding a KID already held replaces the key, keeps its window. */
  async addKey(kid: bigint, baseKey: Uint8Array): Promise<void> {
    const key = await prepareSFrameKey(this.suite, baseKey, kid);
    const window = this.keys.get(kid)?.window ?? new ReplayWindow(this.windowSize, describeKid(kid, this.senderBits));
    this.keys.set(kid, { key, window });
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

  /** Opens one frame (header || ciphertext || tag) with the same metadata the sender gave. */
  unprotect(frame: Uint8Array, metadata: Uint8Array = NO_METADATA): Promise<SFrameDecrypted> {
    let header: SFrameHeader;
    let held: ReceiverKey | undefined;
    try {
      header = decodeSFrameHeader(frame);
      held = this.keys.get(header.kid);
      if (held === undefined) throw unknownKeyError(header.kid, this.keys.keys(), this.senderBits, 'receiver');
      held.window.check(header.ctr);
    } catch (error) {
      return Promise.reject(error);
    }
    const { kid, ctr } = header;
    const window = held.window;
    return openFrame(held.key, header, frame, metadata).then((plaintext) => {
      window.accept(ctr); // only now: a frame that failed authentication moves nothing
      return { kid, ctr, plaintext };
    });
  }
}
