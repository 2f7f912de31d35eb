// [M1] The sending half of per-sender media signatures (decision 0016), run in the media Worker.
// The page's media signing key is made here, once per page, and never leaves: WebCrypto Ed25519
// with a non-extractable private key where the engine has it, libsodium otherwise. Every frame
// the page seals is recorded (KID, CTR, digest of the bytes as sent); every MEDIA_BATCH_INTERVAL_MS
// what was recorded is signed as one batch per KID (crypto/media-batch.ts) and handed to the page,
// which relays it to every member over the in-call channel.
import { type MediaBatchRun, type MediaCodec, type MediaSigningKey, MAX_BATCH_FRAMES, MAX_BATCH_RUNS, MEDIA_DIGEST_BYTES, PAGE_LIFE_CTR_BITS } from '../../../crypto/index';
import { decodeSFrameHeader, generateMediaSigningKey, mediaFrameDigest, signMediaBatch, splitMediaFrame } from '../../../crypto/index';

export class MediaSigner {
  readonly #key: Promise<MediaSigningKey>;
  #roomId: Uint8Array | null = null;
  readonly #recorded = new Map<bigint, Map<bigint, Uint8Array>>();

  constructor(engine?: 'webcrypto' | 'libsodium') {
    this.#key = generateMediaSigningKey(engine);
  }

  publicKey(): Promise<Uint8Array> {
    return this.#key.then((k) => k.publicKey);
  }

  engine(): Promise<string> {
    return this.#key.then((k) => k.engine);
  }

  room(roomId: Uint8Array): void {
    this.#roomId = roomId.slice();
  }

  /** A frame this page sealed, exactly as it goes on the wire. */
  record(protectedFrame: Uint8Array, codec: MediaCodec): void {
    const { kid, ctr } = decodeSFrameHeader(splitMediaFrame(codec, protectedFrame).rest);
    let frames = this.#recorded.get(kid);
    if (frames === undefined) {
      frames = new Map();
      this.#recorded.set(kid, frames);
    }
    frames.set(ctr, mediaFrameDigest(protectedFrame));
  }

  /** Sign everything recorded since the last flush: one or more batches per KID. */
  async flush(): Promise<Uint8Array[]> {
    const roomId = this.#roomId;
    if (roomId === null || this.#recorded.size === 0) return [];
    const key = await this.#key;
    const out: Promise<Uint8Array>[] = [];
    for (const [kid, frames] of this.#recorded) {
      for (const runs of batchRuns(frames)) out.push(signMediaBatch(key, roomId, { kid, runs }));
    }
    this.#recorded.clear();
    return Promise.all(out);
  }
}

/** Recorded frames as ascending runs of consecutive counters, cut to what one batch may carry. */
function batchRuns(frames: ReadonlyMap<bigint, Uint8Array>): MediaBatchRun[][] {
  const ctrs = [...frames.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const batches: MediaBatchRun[][] = [];
  let runs: MediaBatchRun[] = [];
  let count = 0;
  let start = 0;
  const close = (end: number): void => {
    const digests = new Uint8Array((end - start) * MEDIA_DIGEST_BYTES);
    for (let i = start; i < end; i++) digests.set(frames.get(ctrs[i]!)!, (i - start) * MEDIA_DIGEST_BYTES);
    runs.push({ firstCtr: ctrs[start]!, digests });
    start = end;
  };
  for (let i = 1; i <= ctrs.length; i++) {
    const prev = ctrs[i - 1]!;
    const cur = ctrs[i];
    count++;
    const lifeBreak = cur !== undefined && cur >> BigInt(PAGE_LIFE_CTR_BITS) !== prev >> BigInt(PAGE_LIFE_CTR_BITS);
    const breaks = cur === undefined || cur !== prev + 1n || lifeBreak;
    const full = count >= MAX_BATCH_FRAMES;
    if (breaks || full) close(i);
    if (full || lifeBreak || (breaks && runs.length >= MAX_BATCH_RUNS)) {
      batches.push(runs);
      runs = [];
      count = 0;
    }
  }
  if (runs.length > 0) batches.push(runs);
  return batches;
}
