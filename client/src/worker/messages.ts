// Messages between the page and the media Worker. Both directions are typed unions; BigInt KIDs and
// Uint8Array keys survive structured cloning. Keys travel only page -> Worker, never back.
import { type MediaCodec } from '../../../crypto/index';
import { type TestMode } from './test-forger';

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
  /**
   * The participant id (LiveKit identity) the signed member list gives this KID's sender index in
   * this epoch: frames under this KID open only on tracks that participant publishes.
   */
  readonly owner: string;
}

/** This page's own key of an epoch, with the page life whose counter space it sends in. */
export interface SendKeyEntry extends KeyEntry {
  readonly life: number;
}

export type ToWorker =
  /** Hold these keys for receiving; `send` marks the one this participant may send with. */
  | { readonly type: 'add-keys'; readonly keys: readonly KeyEntry[]; readonly send?: SendKeyEntry }
  /** The receiver transform `label` carries a track the SFU says `participant` publishes (null: none). */
  | { readonly type: 'bind-receiver'; readonly label: string; readonly participant: string | null }
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
  | { readonly type: 'audit'; readonly on: boolean }
  /** [M1] The room whose media batches this page signs and checks (part of what is signed). */
  | { readonly type: 'media-room'; readonly roomId: Uint8Array }
  /** [M1] A member's verified statement: its batches under `kid` for CTRs of page life `life` are signed with `publicKey`. */
  | { readonly type: 'media-signer'; readonly kid: bigint; readonly life: number; readonly publicKey: Uint8Array }
  /** [M1] A media batch relayed by the server, to be checked here. */
  | { readonly type: 'media-batch'; readonly bytes: Uint8Array }
  /** [M1] This page's signaling socket was away and is back: batches were missed meanwhile. */
  | { readonly type: 'media-resynced' }
  /** Browser tests only, refused unless the audit is on: play a forger or a lossy path (test-forger.ts). */
  | { readonly type: 'test-mode'; readonly mode: TestMode };

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
  /** Counter too far ahead of the sender's last one: one frame cannot poison the replay window. */
  ahead: 'too-far-ahead',
  /** A received track the SFU has not (yet) said whose it is. */
  unbound: 'unbound',
  /** A frame under one member's KID on a track another member publishes: the SFU swapped tracks. */
  wrongSender: 'wrong-sender',
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/** What arrived on the tracks of one participant (as the SFU names them). */
export interface TrackTally {
  readonly opened: number;
  readonly dropped: number;
  /** Frames under another member's KID: each one is an SFU that lies about whose track this is. */
  readonly wrongSender: number;
  /** The newest epoch a frame on these tracks opened under; -1 before the first. */
  readonly openedEpoch: number;
}

export interface WorkerStats {
  readonly encrypted: number;
  readonly decrypted: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Decrypted frames per held KID (forgotten with the key). */
  readonly decryptedByKid: ReadonlyMap<bigint, number>;
  /** Per participant whose tracks this page receives: bounded by the bound receivers, not by what the SFU sends. */
  readonly byParticipant: ReadonlyMap<string, TrackTally>;
  /** The newest epoch above the held ones that a dropped frame's KID claimed (-1: none): a sign of a missed commit. */
  readonly newerEpoch: number;
}

export const NO_DROPS: Readonly<Record<DropReason, number>> = Object.freeze(
  Object.fromEntries(Object.values(DropReason).map((r) => [r, 0])) as Record<DropReason, number>,
);

/** [M1] What the signed batches said about the frames on one participant's tracks. */
export interface SignatureTally {
  /** Frames a valid batch of their KID's sender covered, digest matching. */
  readonly verified: number;
  /** Frames inside a verified batch's range that the batch did not list: not the sender's. */
  readonly unsigned: number;
  /** Frames whose digest differs from the one their sender signed for that counter: forgeries. */
  readonly forged: number;
  /** Frames held until their batch arrived. */
  readonly held: number;
  /** This participant's frames are held until their batch covers them (after an unsigned or forged frame). */
  readonly holding: boolean;
  /**
   * A frame of theirs shown before its batch went MEDIA_SIGNATURE_BOUND_MS without it: their frames
   * wait for their batches until these catch up. No accusation: the batches may only be slow.
   */
  readonly late: boolean;
  /**
   * Within the last MEDIA_SIGNATURE_BOUND_MS a frame of theirs was dropped after waiting the whole
   * bound without any batch of theirs arriving: their media is frozen here for want of signatures
   * (withheld or lost on the way). No accusation either; cleared by their next verified batch.
   */
  readonly unverified: boolean;
}

export interface SignatureStats {
  readonly byParticipant: ReadonlyMap<string, SignatureTally>;
  /** Participants whose own signed batches contradict each other: every frame of theirs is refused this epoch. */
  readonly refused: readonly string[];
  /** Batches that did not decode or verify (not attributable to anyone; the relay may have made them). */
  readonly badBatches: number;
  /**
   * How long received frames waited for the batch that covered them (from the frame's arrival in
   * the Worker), and `late`: batches' frames that arrived after their frame had been flagged unsigned.
   */
  readonly coverage: { readonly count: number; readonly meanMs: number; readonly maxMs: number; readonly late: number };
}

export type FromWorker =
  | { readonly type: 'stats'; readonly stats: WorkerStats; readonly signatures: SignatureStats }
  /** [M1] This page's media signing key (made in the Worker once; the private half never leaves it). */
  | { readonly type: 'media-key'; readonly publicKey: Uint8Array; readonly engine: string }
  /** [M1] A batch this page signed, for the page to relay to every member. */
  | { readonly type: 'media-batch-out'; readonly bytes: Uint8Array }
  /** [M1] Batches under these KIDs came before any statement of their sender's key: ask them again. */
  | { readonly type: 'media-missing-signers'; readonly kids: readonly bigint[] }
  | { readonly type: 'sent-headers'; readonly headers: readonly SentHeader[] }
  /** Audit only: (KID, CTR) of received frames that opened, and of frames this page replaced with forgeries. */
  | { readonly type: 'opened-headers'; readonly headers: readonly SentHeader[] }
  | { readonly type: 'forged-headers'; readonly headers: readonly SentHeader[] }
  /** The first frame under this KID opened (for per-sender status and latency traces). */
  | { readonly type: 'first-open'; readonly kid: bigint }
  | { readonly type: 'key-error'; readonly kid: bigint; readonly message: string };

export function codecForKind(kind: 'audio' | 'video'): MediaCodec {
  return kind === 'audio' ? 'opus' : 'vp8';
}
