// [M1] The receiving half of per-sender media signatures (decision 0016), run in the media Worker
// before a frame's tag is tried. Every member can seal frames under any member's KID, so a frame
// that opens proves only "some member"; what proves "this sender" is the sender's signed batch
// (crypto/media-batch.ts), which lists the digest of every frame it sealed. For each frame:
//   - covered by a verified batch: opens if its digest matches, else it is a forgery and is
//     dropped before its tag is tried (so it touches no replay window);
//   - not covered yet: shown at once ("optimistic") when the sender's frames are not held and the
//     frame is within MEDIA_OPTIMISTIC_SLACK counters of the newest covered one; its digest is kept,
//     and when the batch that covers it disagrees, or none comes within MEDIA_SIGNATURE_BOUND_MS,
//     the sender's tile is flagged and its frames are HELD: from then on a frame opens only once a
//     batch covers it (up to the bound; then it is dropped as unsigned). A proven forgery holds the
//     KID for the rest of its epoch, an unsigned frame for MEDIA_UNSIGNED_HOLD_MS.
// A sender is refused (every frame under its KID dropped for the rest of the epoch) only for what
// its own key signed: two valid batches that give one counter two digests. A batch that does not
// verify is dropped and counted, never held against the KID it names: anyone can send bytes that
// name the host's KID, and that must not make anyone refuse the host.
// Bounded by what this page chose to hold: per held KID, entries for MEDIA_BATCH_RETENTION_MS,
// MAX_WAITING held frames, MAX_QUEUED batches waiting for a key, MAX_LIVES keys.
import { type DecodedMediaBatch, type MediaCodec, type MediaVerifyKey, MEDIA_BATCH_RETENTION_MS, MEDIA_DIGEST_BYTES, MEDIA_OPTIMISTIC_SLACK } from '../../../crypto/index';
import { MEDIA_SIGNATURE_BOUND_MS, MEDIA_UNSIGNED_HOLD_MS, PAGE_LIFE_CTR_BITS, decodeMediaBatch, decodeSFrameHeader, importMediaVerifyKey } from '../../../crypto/index';
import { mediaFrameDigest, splitMediaFrame, verifyMediaBatch } from '../../../crypto/index';
import { type SignatureStats, type SignatureTally } from './messages';

const MAX_WAITING = 256;
const MAX_QUEUED = 16;
const MAX_LIVES = 4;
const MAX_ENTRIES = 8192;

/** What to do with a received frame before its tag is tried. */
export type Admission =
  /** Try it (covered and matching, or not ours to judge: unknown KID, another's track). */
  | { readonly kind: 'open' }
  /** Try it and, if it opens, call shown(): it is shown before its batch. */
  | { readonly kind: 'optimistic'; readonly kid: bigint; readonly ctr: bigint; readonly digest: Uint8Array; readonly participant: string }
  | { readonly kind: 'drop' };

interface Waiter {
  readonly ctr: bigint;
  readonly digest: Uint8Array;
  readonly participant: string;
  readonly deadline: number;
  readonly resolve: (admission: Admission) => void;
}

interface KidState {
  readonly owner: string;
  readonly signers: Map<number, Promise<MediaVerifyKey>>;
  readonly queued: DecodedMediaBatch[];
  /** CTR -> digest and when it was verified. */
  readonly entries: Map<bigint, { readonly digest: Uint8Array; readonly at: number }>;
  /** Per page life, the newest CTR a verified batch covered, and the same before the latest batch. */
  readonly coveredMax: Map<number, bigint>;
  readonly coveredBefore: Map<number, bigint>;
  /** Frames shown before their batch: CTR -> digest, arrival, track owner. */
  readonly pending: Map<bigint, { readonly digest: Uint8Array; readonly at: number; readonly participant: string }>;
  readonly waiting: Set<Waiter>;
  readonly flagged: Set<bigint>;
  /** Batches of one KID are verified and applied in the order they arrived (the skip rule needs it). */
  order: Promise<void>;
  /** When a batch of this KID was last applied (-Infinity: never). */
  lastBatchAt: number;
  proven: boolean;
  holdUntil: number;
  refused: boolean;
}

export class MediaVerifier {
  readonly #kids = new Map<bigint, KidState>();
  readonly #tallies = new Map<string, { verified: number; unsigned: number; forged: number; held: number }>();
  #roomId: Uint8Array | null = null;
  #badBatches = 0;
  /** KIDs whose batches arrived before any statement of their sender's key (the page asks for one). */
  readonly #missing = new Set<bigint>();
  /** How long frames waited for their batch (shown or held), and how many batches came after their frame was flagged. */
  readonly #coverage = { count: 0, totalMs: 0, maxMs: 0, late: 0 };
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  room(roomId: Uint8Array): void {
    this.#roomId = roomId.slice();
  }

  addKeys(keys: readonly { readonly kid: bigint; readonly owner: string }[]): void {
    for (const { kid, owner } of keys) {
      if (this.#kids.get(kid)?.owner === owner) continue;
      this.#kids.set(kid, { owner, signers: new Map(), queued: [], entries: new Map(), coveredMax: new Map(), coveredBefore: new Map(), pending: new Map(), waiting: new Set(), flagged: new Set(), order: Promise.resolve(), lastBatchAt: -Infinity, proven: false, holdUntil: 0, refused: false });
    }
  }

  removeKeys(kids: readonly bigint[]): void {
    for (const kid of kids) {
      const st = this.#kids.get(kid);
      if (st === undefined) continue;
      for (const w of st.waiting) w.resolve({ kind: 'drop' });
      this.#kids.delete(kid);
    }
  }

  /** A member's verified statement: its batches under `kid` for CTRs of page life `life` are signed with `publicKey`. */
  signer(kid: bigint, life: number, publicKey: Uint8Array): void {
    const st = this.#kids.get(kid);
    if (st === undefined || st.signers.has(life) || st.signers.size >= MAX_LIVES) return; // first statement wins
    st.signers.set(life, importMediaVerifyKey(publicKey));
    const queued = st.queued.splice(0);
    for (const batch of queued) st.order = st.order.then(() => this.#check(st, batch));
  }

  /** A relayed batch. Resolves once it was applied or refused. */
  async batch(bytes: Uint8Array): Promise<void> {
    let batch: DecodedMediaBatch;
    try {
      batch = decodeMediaBatch(bytes);
    } catch {
      this.#badBatches++;
      return;
    }
    const st = this.#kids.get(batch.kid);
    if (st === undefined) return; // a KID this page does not hold (yet, or any more)
    if (!st.signers.has(batch.life)) {
      this.#missing.add(batch.kid);
      if (st.queued.length >= MAX_QUEUED) st.queued.shift();
      st.queued.push(batch); // the statement may come after the first batch
      return;
    }
    st.order = st.order.then(() => this.#check(st, batch));
    await st.order;
  }

  async #check(st: KidState, batch: DecodedMediaBatch): Promise<void> {
    const key = st.signers.get(batch.life);
    if (key === undefined || this.#roomId === null) return;
    try {
      await verifyMediaBatch(await key, this.#roomId, batch);
    } catch {
      this.#badBatches++; // not attributable: whoever relayed it may have made it
      return;
    }
    if (this.#kids.get(batch.kid) !== st) return; // the key was removed meanwhile
    this.#apply(st, batch);
  }

  #apply(st: KidState, batch: DecodedMediaBatch): void {
    const now = this.#now();
    st.lastBatchAt = now;
    for (const run of batch.runs) {
      const n = run.digests.length / MEDIA_DIGEST_BYTES;
      for (let i = 0; i < n; i++) {
        const ctr = run.firstCtr + BigInt(i);
        const digest = run.digests.subarray(i * MEDIA_DIGEST_BYTES, (i + 1) * MEDIA_DIGEST_BYTES);
        const known = st.entries.get(ctr);
        if (known !== undefined && !same(known.digest, digest)) return this.#refuse(st); // its own key said two things
        st.entries.set(ctr, { digest, at: now });
        if (st.entries.size > MAX_ENTRIES) st.entries.delete(st.entries.keys().next().value as bigint);
        if (st.flagged.delete(ctr)) this.#coverage.late++;
        const shown = st.pending.get(ctr);
        if (shown !== undefined) {
          this.#covered(now - shown.at);
          st.pending.delete(ctr);
          if (same(shown.digest, digest)) this.#tally(shown.participant).verified++;
          else this.#forged(st, shown.participant);
        }
      }
      const last = run.firstCtr + BigInt(n) - 1n;
      if (last > (st.coveredMax.get(batch.life) ?? -1n)) st.coveredMax.set(batch.life, last);
    }
    // A sender records each frame as it seals it, so a counter below what an EARLIER batch covered
    // and missing from this one too will never be covered: it is not the sender's (fast path; the
    // bound is the backstop for when batches stop coming).
    const before = st.coveredBefore.get(batch.life);
    const skipped = (ctr: bigint): boolean => before !== undefined && ctr <= before && lifeOf(ctr) === batch.life;
    if (before !== undefined) {
      for (const [ctr, shown] of st.pending) {
        if (!skipped(ctr)) continue;
        st.pending.delete(ctr);
        this.#flag(st, ctr);
        this.#unsigned(st, shown.participant);
      }
    }
    for (const w of st.waiting) {
      const entry = st.entries.get(w.ctr);
      if (entry === undefined && !skipped(w.ctr)) continue;
      st.waiting.delete(w);
      if (entry === undefined) {
        this.#flag(st, w.ctr);
        w.resolve(this.#unsigned(st, w.participant));
        continue;
      }
      this.#covered(now - (w.deadline - MEDIA_SIGNATURE_BOUND_MS));
      w.resolve(this.#judge(st, entry.digest, w.digest, w.participant));
    }
    const newest = st.coveredMax.get(batch.life);
    if (newest !== undefined) st.coveredBefore.set(batch.life, newest);
  }

  #covered(ms: number): void {
    this.#coverage.count++;
    this.#coverage.totalMs += ms;
    this.#coverage.maxMs = Math.max(this.#coverage.maxMs, ms);
  }

  /**
   * Decide about a received frame on a track the SFU says `participant` publishes. Frames this
   * verifier cannot judge (malformed, unknown KID, another member's KID) are left to the cryptor.
   */
  admit(data: Uint8Array, codec: MediaCodec, participant: string | undefined): Admission | Promise<Admission> {
    let kid: bigint;
    let ctr: bigint;
    try {
      ({ kid, ctr } = decodeSFrameHeader(splitMediaFrame(codec, data).rest));
    } catch {
      return OPEN;
    }
    const st = this.#kids.get(kid);
    if (st === undefined || participant === undefined || st.owner !== participant) return OPEN;
    if (st.refused) return DROP;
    const digest = mediaFrameDigest(data);
    const entry = st.entries.get(ctr);
    if (entry !== undefined) return this.#judge(st, entry.digest, digest, participant);
    const now = this.#now();
    const life = lifeOf(ctr);
    const covered = st.coveredMax.get(life);
    if (covered !== undefined && ctr < covered - BigInt(MEDIA_OPTIMISTIC_SLACK)) return DROP; // far behind its batches: never shown, no alarm
    const passed = st.coveredBefore.get(life);
    if (passed !== undefined && ctr <= passed) {
      this.#flag(st, ctr);
      return this.#unsigned(st, participant); // two batches went past it: never the sender's
    }
    const held = st.proven || now < st.holdUntil || covered === undefined || ctr > covered + BigInt(MEDIA_OPTIMISTIC_SLACK);
    if (!held) return { kind: 'optimistic', kid, ctr, digest, participant };
    if (st.waiting.size >= MAX_WAITING) return this.#unsigned(st, participant);
    this.#tally(participant).held++;
    return new Promise<Admission>((resolve) => st.waiting.add({ ctr, digest, participant, deadline: now + MEDIA_SIGNATURE_BOUND_MS, resolve }));
  }

  /** A frame admitted as optimistic opened and is shown: its batch must cover it within the bound. */
  shown(admission: Admission & { kind: 'optimistic' }): void {
    const st = this.#kids.get(admission.kid);
    if (st === undefined) return;
    const entry = st.entries.get(admission.ctr);
    if (entry !== undefined) {
      // Its batch arrived while it was being opened.
      if (same(entry.digest, admission.digest)) this.#tally(admission.participant).verified++;
      else this.#forged(st, admission.participant);
      return;
    }
    st.pending.set(admission.ctr, { digest: admission.digest, at: this.#now(), participant: admission.participant });
  }

  /**
   * Time passes: frames past the bound without a batch raise the alarm; old entries go. While the
   * sender's batches keep coming, the batches themselves flag what they leave out (#apply), so the
   * bound fires only once they have stopped for half of it, or at twice the bound in any case: a
   * relay that is slow for everyone does not make honest frames look unsigned.
   */
  sweep(): void {
    const now = this.#now();
    for (const st of this.#kids.values()) {
      const overdue = (since: number): boolean => now - since >= MEDIA_SIGNATURE_BOUND_MS && (now - st.lastBatchAt >= MEDIA_SIGNATURE_BOUND_MS / 2 || now - since >= 2 * MEDIA_SIGNATURE_BOUND_MS);
      for (const [ctr, shown] of st.pending) {
        if (!overdue(shown.at)) continue;
        st.pending.delete(ctr);
        this.#flag(st, ctr);
        this.#unsigned(st, shown.participant);
      }
      for (const w of st.waiting) {
        if (!overdue(w.deadline - MEDIA_SIGNATURE_BOUND_MS)) continue;
        st.waiting.delete(w);
        // Before any batch of that page life verified, the sender's key has not arrived yet: the
        // frame is dropped (never shown) but is no evidence against anyone.
        if (st.coveredMax.has(lifeOf(w.ctr))) this.#flag(st, w.ctr);
        w.resolve(st.coveredMax.has(lifeOf(w.ctr)) ? this.#unsigned(st, w.participant) : DROP);
      }
      for (const [ctr, entry] of st.entries) if (now - entry.at > MEDIA_BATCH_RETENTION_MS) st.entries.delete(ctr);
    }
  }

  /** KIDs with batches but no statement since the last call (the page asks their senders again). */
  takeMissing(): bigint[] {
    const kids = [...this.#missing].filter((kid) => this.#kids.has(kid));
    this.#missing.clear();
    return kids;
  }

  /**
   * This page's own signaling socket was away: batches relayed meanwhile never reached it, so its
   * unsigned flags (not its proven forgeries) may be its own absence. Frames shown then and not
   * covered since are forgotten, and senders held only for unsigned frames are released.
   */
  forgive(): void {
    for (const st of this.#kids.values()) {
      st.pending.clear();
      st.flagged.clear();
      st.coveredBefore.clear();
      st.holdUntil = 0;
    }
  }

  /** Forget the tallies of participants no receiver is bound to any more. */
  keepTallies(participants: ReadonlySet<string>): void {
    for (const id of this.#tallies.keys()) if (!participants.has(id)) this.#tallies.delete(id);
  }

  stats(): SignatureStats {
    const now = this.#now();
    const holding = new Set<string>();
    const refused: string[] = [];
    for (const st of this.#kids.values()) {
      if (st.proven || now < st.holdUntil) holding.add(st.owner);
      if (st.refused && !refused.includes(st.owner)) refused.push(st.owner);
    }
    const byParticipant = new Map<string, SignatureTally>();
    for (const [id, t] of this.#tallies) byParticipant.set(id, { ...t, holding: holding.has(id) });
    const c = this.#coverage;
    return { byParticipant, refused, badBatches: this.#badBatches, coverage: { count: c.count, meanMs: c.count === 0 ? 0 : c.totalMs / c.count, maxMs: c.maxMs, late: c.late } };
  }

  /** Remember (a few) counters flagged unsigned, to count batches that come for them later. */
  #flag(st: KidState, ctr: bigint): void {
    st.flagged.add(ctr);
    if (st.flagged.size > MAX_WAITING) st.flagged.delete(st.flagged.values().next().value as bigint);
  }

  #judge(st: KidState, signed: Uint8Array, got: Uint8Array, participant: string): Admission {
    if (same(signed, got)) {
      this.#tally(participant).verified++;
      return OPEN;
    }
    this.#forged(st, participant);
    return DROP;
  }

  #forged(st: KidState, participant: string): void {
    this.#tally(participant).forged++;
    st.proven = true;
  }

  #unsigned(st: KidState, participant: string): Admission {
    this.#tally(participant).unsigned++;
    st.holdUntil = Math.max(st.holdUntil, this.#now() + MEDIA_UNSIGNED_HOLD_MS);
    return DROP;
  }

  #refuse(st: KidState): void {
    st.refused = true;
    st.pending.clear();
    for (const w of st.waiting) w.resolve(DROP);
    st.waiting.clear();
  }

  #tally(participant: string): { verified: number; unsigned: number; forged: number; held: number } {
    let t = this.#tallies.get(participant);
    if (t === undefined) {
      t = { verified: 0, unsigned: 0, forged: 0, held: 0 };
      this.#tallies.set(participant, t);
    }
    return t;
  }
}

const lifeOf = (ctr: bigint): number => Number(ctr >> BigInt(PAGE_LIFE_CTR_BITS));
const OPEN: Admission = { kind: 'open' };
const DROP: Admission = { kind: 'drop' };

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
