// [M1] The sending half of per-sender media signatures (decision 0016), run in the media Worker.
// The page's media signing key is made here, once per page, and never leaves: WebCrypto Ed25519
// with a non-extractable private key where the engine has it, libsodium otherwise. Every frame
// the page seals is recorded (KID, CTR, digest of the bytes as sent); every MEDIA_BATCH_INTERVAL_MS
// what was recorded is signed as one batch per KID (crypto/media-batch.ts) and handed to the page,
// which relays it to every member over the in-call channel.
//
// A batch states a counter range [from, last listed] and lists EVERY counter in it this page sealed
// (the receiver treats any other counter in it as not the sender's). Frames of several tracks
// share a KID's counters and finish encryption out of order, so a range must not end past a frame
// still being sealed: each seal takes a ticket before its counter (counters are taken in ticket
// order), and a flush lists only frames whose ticket is below every ticket still in flight; the
// rest wait for the next batch. Ranges of one KID follow each other without gap or overlap.
import { type MediaBatchRun, type MediaCodec, type MediaSigningKey, MAX_BATCH_FRAMES, MAX_BATCH_RUNS, MEDIA_DIGEST_BYTES, PAGE_LIFE_CTR_BITS } from '../../../crypto/index';
import { decodeSFrameHeader, generateMediaSigningKey, mediaFrameDigest, signMediaBatch, splitMediaFrame } from '../../../crypto/index';

interface Sealed {
  readonly ticket: number;
  readonly digest: Uint8Array;
}

export class MediaSigner {
  readonly #key: Promise<MediaSigningKey>;
  #roomId: Uint8Array | null = null;
  /** KID -> CTR -> what was sealed, not yet signed. */
  readonly #recorded = new Map<bigint, Map<bigint, Sealed>>();
  /** KID -> the first counter its next batch's range starts at. */
  readonly #from = new Map<bigint, bigint>();
  readonly #inFlight = new Set<number>();
  #tickets = 0;
  /** Batches are signed and handed out in the order they were cut. */
  #order: Promise<unknown> = Promise.resolve();

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

  /**
   * Call right before a frame is sealed (its counter is taken synchronously after): returns what to
   * call with the frame as it goes on the wire, or null if sealing dropped it.
   */
  sealing(): (protectedFrame: Uint8Array | null, codec: MediaCodec) => void {
    const ticket = this.#tickets++;
    this.#inFlight.add(ticket);
    return (protectedFrame, codec) => {
      this.#inFlight.delete(ticket);
      if (protectedFrame === null) return;
      const { kid, ctr } = decodeSFrameHeader(splitMediaFrame(codec, protectedFrame).rest);
      let frames = this.#recorded.get(kid);
      if (frames === undefined) {
        frames = new Map();
        this.#recorded.set(kid, frames);
      }
      frames.set(ctr, { ticket, digest: mediaFrameDigest(protectedFrame) });
    };
  }

  /** A frame sealed with nothing else in flight (tests, the bench). */
  record(protectedFrame: Uint8Array, codec: MediaCodec): void {
    this.sealing()(protectedFrame, codec);
  }

  /** Sign what was sealed since the last flush and is complete: one or more batches per KID. */
  flush(): Promise<Uint8Array[]> {
    const roomId = this.#roomId;
    if (roomId === null || this.#recorded.size === 0) return Promise.resolve([]);
    let oldest = Infinity;
    for (const t of this.#inFlight) oldest = Math.min(oldest, t);
    const cut: { kid: bigint; from: bigint; runs: MediaBatchRun[] }[] = [];
    for (const [kid, frames] of this.#recorded) {
      const ready = new Map<bigint, Uint8Array>();
      for (const [ctr, sealed] of frames) {
        if (sealed.ticket > oldest) continue; // a frame before it is still being sealed
        ready.set(ctr, sealed.digest);
        frames.delete(ctr);
      }
      if (frames.size === 0) this.#recorded.delete(kid);
      if (ready.size === 0) continue;
      for (const runs of batchRuns(ready)) {
        const first = runs[0]!.firstCtr;
        const last = runs[runs.length - 1]!;
        const previous = this.#from.get(kid);
        // A new page life's counter space, or the KID's first batch, starts at its first frame.
        const from = previous !== undefined && previous <= first && lifeOf(previous) === lifeOf(first) ? previous : first;
        cut.push({ kid, from, runs });
        this.#from.set(kid, last.firstCtr + BigInt(last.digests.length / MEDIA_DIGEST_BYTES));
      }
    }
    const signed = this.#order.then(async () => {
      const key = await this.#key;
      return Promise.all(cut.map((b) => signMediaBatch(key, roomId, b)));
    });
    this.#order = signed.catch(() => undefined);
    return signed;
  }
}

const lifeOf = (ctr: bigint): bigint => ctr >> BigInt(PAGE_LIFE_CTR_BITS);

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
    const lifeBreak = cur !== undefined && lifeOf(cur) !== lifeOf(prev);
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
