// Messages between the page and the media Worker. Both directions are typed unions; BigInt KIDs and
// Uint8Array keys survive structured cloning. Keys travel only page -> Worker, never back.
import { type MediaCodec } from '../../../crypto/index';

/** Options given to `new RTCRtpScriptTransform(worker, options)`, read in `onrtctransform`. */
export interface TransformOptions {
  readonly side: 'send' | 'receive';
  readonly kind: 'audio' | 'video';
  /** A label for stats only (track or transceiver id); never a name. */
  readonly label: string;
}

export interface KeyEntry {
  readonly kid: bigint;
  /** 32-byte SFrame base key of (epoch, sender). */
  readonly baseKey: Uint8Array;
}

export type ToWorker =
  /** Hold these keys for receiving; `send` marks the one this participant may send with. */
  | { readonly type: 'add-keys'; readonly keys: readonly KeyEntry[]; readonly send?: KeyEntry }
  /** Start sending under this KID (it must have been added with `send`). */
  | { readonly type: 'use-send-kid'; readonly kid: bigint }
  /** Forget these KIDs (end of an epoch's grace period). */
  | { readonly type: 'remove-keys'; readonly kids: readonly bigint[] }
  /** Stop sending entirely: every outgoing frame is dropped (left, removed, ended). */
  | { readonly type: 'stop-sending' }
  /**
   * Nonce audit on or off: while on, the Worker reports the (KID, CTR) of every frame it sends.
   * Those are public header fields the SFU sees anyway; no key material is involved.
   */
  | { readonly type: 'audit'; readonly on: boolean };

/** One sent frame's SFrame header, for the nonce audit. */
export interface SentHeader {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** The transform's label (kind and a per-page serial number). */
  readonly label: string;
}

export const DropReason = {
  /** Outgoing frame with no send key yet: held back, never sent in clear. */
  noSendKey: 'no-send-key',
  /** Codec other than VP8/Opus on the track. */
  codec: 'codec',
  /** Frame too short or header malformed. */
  malformed: 'malformed',
  /** Unknown KID: a key we do not (or no longer) hold. */
  unknownKey: 'unknown-key',
  /** Authentication failed: altered, forged or clear frame. */
  auth: 'auth',
  /** Counter already seen. */
  replay: 'replay',
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

export interface WorkerStats {
  readonly encrypted: number;
  readonly decrypted: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Decrypted frames per sender KID, for per-tile status. */
  readonly decryptedByKid: ReadonlyMap<bigint, number>;
  readonly droppedByKid: ReadonlyMap<bigint, number>;
}

export type FromWorker =
  | { readonly type: 'stats'; readonly stats: WorkerStats }
  | { readonly type: 'sent-headers'; readonly headers: readonly SentHeader[] }
  /** The first frame under this KID opened (for per-sender status and latency traces). */
  | { readonly type: 'first-open'; readonly kid: bigint }
  | { readonly type: 'key-error'; readonly kid: bigint; readonly message: string };

export function codecForKind(kind: 'audio' | 'video'): MediaCodec {
  return kind === 'audio' ? 'opus' : 'vp8';
}
