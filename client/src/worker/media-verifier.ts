// [M1] The receiving half of per-sender media signatures (decision 0016), run in the media Worker
// before a frame's tag is tried. Every member can seal frames under any member's KID, so a frame
// that opens proves only "some member"; what proves "this sender" is the sender's signed batch
// (crypto/media-batch.ts): a counter range and the digest of every frame it sealed in it.
// For each frame:
//   - listed by a verified batch: opens if its digest matches, else it is a forgery and is dropped
//     before its tag is tried (so it touches no replay window);
//   - inside a verified range but not listed: not the sender's ("unsigned"), dropped;
//   - not covered yet: shown at once ("optimistic") when the sender's frames are not held and the
//     frame is within the sender's slack past the newest range; its digest is kept and judged when
//     the batch whose range holds it arrives. Otherwise it waits for that batch (held). The slack
//     follows how late this sender's batches are (#slackFor), between MEDIA_OPTIMISTIC_SLACK and
//     what the sender seals in MEDIA_SIGNATURE_BOUND_MS: a fixed count of counters held every frame
//     of a busy machine, whose batches come a second late, and so froze its picture in bursts.
// Only a verified batch raises a flag (forged: listed with another digest; unsigned: in its range,
// not listed), so a slow path can delay a flag but never raise one. Time only stops showing:
// once a frame shown early is MEDIA_SIGNATURE_BOUND_MS old without its batch, the sender's frames
// wait for their batches ("late", no flag) until the batches catch up; a frame held that long is
// dropped unjudged; when no batch of the sender came at all while it waited, the sender is
// "unverified" on its tile (its media is frozen for want of signatures, and the page says so
// instead of "encrypted"), until a batch of it verifies. A proven forgery holds the KID for the
// rest of its epoch, an unsigned frame for MEDIA_UNSIGNED_HOLD_MS; the tile says so.
// A sender is refused (every frame under its KID dropped for the rest of the epoch) only for what
// its own key signed: two valid batches that give one counter two digests. A batch that does not
// verify is dropped and counted, never held against the KID it names: anyone can send bytes that
// name the host's KID, and that must not make anyone refuse the host.
// Bounded by what this page chose to hold: per KID, batches for MEDIA_BATCH_RETENTION_MS (at most
// MAX_ENTRIES digests), MAX_WAITING held frames, MAX_QUEUED batches waiting for a key, MAX_LIVES keys.
import { type DecodedMediaBatch, type MediaCodec, type MediaVerifyKey, MEDIA_BATCH_INTERVAL_MS, MEDIA_BATCH_RETENTION_MS, MEDIA_DIGEST_BYTES } from '../../../crypto/index';
import { MEDIA_OPTIMISTIC_SLACK, MEDIA_OPTIMISTIC_SLACK_MAX } from '../../../crypto/index';
import { MEDIA_SIGNATURE_BOUND_MS, MEDIA_UNSIGNED_HOLD_MS, PAGE_LIFE_CTR_BITS, decodeMediaBatch, decodeSFrameHeader, importMediaVerifyKey } from '../../../crypto/index';
import { mediaFrameDigest, splitMediaFrame, verifyMediaBatch } from '../../../crypto/index';
import { type SignatureStats, type SignatureTally } from './messages';

const MAX_WAITING = 256;
const MAX_QUEUED = 16;
const MAX_LIVES = 4;
const MAX_ENTRIES = 8192;
/** A frame shown early is judged when its batch comes, for at most this long. */
const PENDING_MS = 4 * MEDIA_SIGNATURE_BOUND_MS;
/** Per verified batch, the remembered wait for batches shrinks by this factor (halves in about 1.3 s). */
const LAG_DECAY = 0.9;
/** The slack covers the sender's counters of this many times the recent wait (jitter, the next cut). */
const LAG_MARGIN = 2;
/** Until a key has this many verified ranges of a page life (a second of them), its rate is not trusted below its inherited slack. */
const RATE_RANGES = 5;

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
  readonly since: number;
  readonly resolve: (admission: Admission) => void;
}

/** A verified batch's range [from, to] and the counters it listed, kept for MEDIA_BATCH_RETENTION_MS. */
interface Range {
  readonly from: bigint;
  readonly to: bigint;
  readonly listed: readonly bigint[];
  readonly at: number;
}

interface KidState {
  readonly owner: string;
  readonly signers: Map<number, Promise<MediaVerifyKey>>;
  readonly queued: DecodedMediaBatch[];
  /** CTR -> digest, for the counters of the ranges kept. */
  readonly entries: Map<bigint, Uint8Array>;
  /** Ranges of verified batches still kept, oldest first. */
  readonly ranges: Range[];
  /** Per page life, the newest counter a verified range reached. */
  readonly newest: Map<number, bigint>;
  /** Frames shown before their batch: CTR -> digest, arrival, track owner. */
  readonly pending: Map<bigint, { readonly digest: Uint8Array; readonly at: number; readonly participant: string }>;
  readonly waiting: Set<Waiter>;
  readonly flagged: Set<bigint>;
  /** A frame shown early went past the bound without its batch: nothing more is shown early until they catch up. */
  late: boolean;
  /** The longest a frame of this KID recently waited for its batch (decays by LAG_DECAY per batch). */
  lagMs: number;
  /** How many counters past the newest range a frame may be and be shown early (#slackFor). */
  slack: bigint;
  /** The slack its owner's key of the epoch before had: the least it has until its own ranges tell its rate. */
  readonly inherited: bigint;
  /** When a verified batch of this KID was last applied. */
  batchAt: number;
  /** When a held frame of this KID was last dropped unjudged with no batch of it come since the frame began to wait. */
  starvedAt: number;
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
      // The same sender under its key of the epoch before: same relay, same rate, so its slack.
      let before: KidState | undefined;
      for (const other of this.#kids.values()) if (other.owner === owner && other.ranges.length > 0) before = other;
      this.#kids.set(kid, { owner, signers: new Map(), queued: [], entries: new Map(), ranges: [], newest: new Map(), pending: new Map(), waiting: new Set(), flagged: new Set(), late: false, lagMs: before?.lagMs ?? 0, slack: before?.slack ?? BigInt(MEDIA_OPTIMISTIC_SLACK), inherited: before?.slack ?? BigInt(MEDIA_OPTIMISTIC_SLACK), batchAt: -Infinity, starvedAt: -Infinity, proven: false, holdUntil: 0, refused: false });
    }
  }

  removeKeys(kids: readonly bigint[]): void {
    for (const kid of kids) {
      const st = this.#kids.get(kid);
      if (st === undefined) continue;
      for (const w of st.waiting) w.resolve(DROP);
      this.#kids.delete(kid);
    }
  }

  /** A member's verified statement: its batches under `kid` for CTRs of page life `life` are signed with `publicKey`. */
  signer(kid: bigint, life: number, publicKey: Uint8Array): void {
    const st = this.#kids.get(kid);
    if (st === undefined || st.signers.has(life) || st.signers.size >= MAX_LIVES) return; // first statement wins
    st.signers.set(life, importMediaVerifyKey(publicKey));
    const queued = st.queued.splice(0);
    for (const batch of queued) if (batch.life === life) void this.#check(st, batch);
    for (const batch of queued) if (batch.life !== life) st.queued.push(batch);
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
    await this.#check(st, batch);
  }

  // Batches are independent (each states its own range), so they are applied in whatever order
  // their signatures check out.
  async #check(st: KidState, batch: DecodedMediaBatch): Promise<void> {
    const key = st.signers.get(batch.life);
    if (key === undefined || this.#roomId === null) return;
    try {
      await verifyMediaBatch(await key, this.#roomId, batch);
    } catch {
      this.#badBatches++; // not attributable: whoever relayed it may have made it
      return;
    }
    if (this.#kids.get(batch.kid) !== st || st.refused) return; // the key was removed meanwhile
    this.#apply(st, batch);
  }

  #apply(st: KidState, batch: DecodedMediaBatch): void {
    const now = this.#now();
    st.batchAt = now;
    const listed: bigint[] = [];
    for (const run of batch.runs) {
      const n = run.digests.length / MEDIA_DIGEST_BYTES;
      for (let i = 0; i < n; i++) {
        const ctr = run.firstCtr + BigInt(i);
        const digest = run.digests.subarray(i * MEDIA_DIGEST_BYTES, (i + 1) * MEDIA_DIGEST_BYTES);
        const known = st.entries.get(ctr);
        if (known !== undefined && !same(known, digest)) return this.#refuse(st); // its own key said two things
        st.entries.set(ctr, digest);
        listed.push(ctr);
      }
    }
    const last = batch.runs[batch.runs.length - 1]!;
    const range: Range = { from: batch.from, to: last.firstCtr + BigInt(last.digests.length / MEDIA_DIGEST_BYTES) - 1n, listed, at: now };
    st.ranges.push(range);
    if (range.to > (st.newest.get(batch.life) ?? -1n)) st.newest.set(batch.life, range.to);
    while (st.entries.size > MAX_ENTRIES && st.ranges.length > 1) this.#forgetRange(st);
    const inRange = (ctr: bigint): boolean => ctr >= range.from && ctr <= range.to;
    for (const ctr of listed) if (st.flagged.delete(ctr)) this.#coverage.late++;
    let waited = 0;
    for (const [ctr, shown] of st.pending) {
      if (!inRange(ctr)) continue;
      st.pending.delete(ctr);
      waited = Math.max(waited, now - shown.at);
      this.#covered(now - shown.at);
      const signed = st.entries.get(ctr);
      if (signed === undefined) {
        this.#flag(st, ctr);
        this.#unsigned(st, shown.participant);
      } else if (same(shown.digest, signed)) this.#tally(shown.participant).verified++;
      else this.#forged(st, shown.participant);
    }
    for (const w of st.waiting) {
      if (!inRange(w.ctr)) continue;
      st.waiting.delete(w);
      waited = Math.max(waited, now - w.since);
      this.#covered(now - w.since);
      const signed = st.entries.get(w.ctr);
      if (signed === undefined) {
        this.#flag(st, w.ctr);
        w.resolve(this.#unsigned(st, w.participant));
      } else w.resolve(this.#judge(st, signed, w.digest, w.participant));
    }
    if (st.late && ![...st.pending.values()].some((p) => now - p.at >= MEDIA_SIGNATURE_BOUND_MS)) st.late = false;
    st.lagMs = Math.max(waited, st.lagMs * LAG_DECAY);
    st.slack = this.#slackFor(st, batch.life, now);
  }

  /**
   * The counters this sender seals in LAG_MARGIN times its frames' recent wait for their batches,
   * capped at what it seals in MEDIA_SIGNATURE_BOUND_MS and at MEDIA_OPTIMISTIC_SLACK_MAX, floored
   * at MEDIA_OPTIMISTIC_SLACK. Its rate comes from its own verified ranges of this life, over the
   * longer of the time they took to arrive and one batch interval each: a server that holds batches
   * back and lets them go at once makes them arrive together, and must not make the rate look
   * higher than one interval per batch (a sender cuts one batch an interval). A new epoch's key
   * keeps its owner's previous slack until it has RATE_RANGES ranges.
   */
  #slackFor(st: KidState, life: number, now: number): bigint {
    const kept = st.ranges.filter((r) => lifeOf(r.from) === life);
    const newest = st.newest.get(life);
    if (kept.length === 0 || newest === undefined) return BigInt(MEDIA_OPTIMISTIC_SLACK);
    const counters = Number(newest - kept[0]!.from + 1n);
    const perMs = counters / Math.max(now - kept[0]!.at + MEDIA_BATCH_INTERVAL_MS, kept.length * MEDIA_BATCH_INTERVAL_MS);
    const slack = BigInt(Math.min(MEDIA_OPTIMISTIC_SLACK_MAX, Math.max(MEDIA_OPTIMISTIC_SLACK, Math.ceil(perMs * Math.min(MEDIA_SIGNATURE_BOUND_MS, LAG_MARGIN * st.lagMs)))));
    // A new key's first range covers only part of an interval, which would make its rate look low.
    return kept.length < RATE_RANGES && st.inherited > slack ? st.inherited : slack;
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
    const signed = st.entries.get(ctr);
    if (signed !== undefined) return this.#judge(st, signed, digest, participant);
    if (st.ranges.some((r) => ctr >= r.from && ctr <= r.to)) {
      this.#flag(st, ctr);
      return this.#unsigned(st, participant); // its sender's own range leaves it out
    }
    const now = this.#now();
    const life = lifeOf(ctr);
    // Before the first verified batch of a page life nothing is shown early, not even at a new key's
    // first counters: a page that got the key late (it joined or caught up mid-epoch) lost the
    // batches that cover them, so a forgery shown there would never be judged.
    const newest = st.newest.get(life);
    if (newest !== undefined && ctr <= newest) {
      // Behind the newest range and in none kept: its batch is forgotten (too late to judge: dropped,
      // no alarm) or still on its way (batches may pass each other: wait for it).
      const oldest = st.ranges.find((r) => lifeOf(r.from) === life);
      if (oldest === undefined || ctr < oldest.from) return DROP;
    }
    const held = st.proven || st.late || now < st.holdUntil || newest === undefined || ctr > newest + st.slack;
    if (!held) return { kind: 'optimistic', kid, ctr, digest, participant };
    if (st.waiting.size >= MAX_WAITING) return DROP; // this page holds no more: lost, like a lost packet
    this.#tally(participant).held++;
    return new Promise<Admission>((resolve) => st.waiting.add({ ctr, digest, participant, since: now, resolve }));
  }

  /** A frame admitted as optimistic opened and is shown: the batch whose range holds it judges it. */
  shown(admission: Admission & { kind: 'optimistic' }): void {
    const st = this.#kids.get(admission.kid);
    if (st === undefined || st.refused) return;
    const signed = st.entries.get(admission.ctr);
    if (signed !== undefined) {
      // Its batch arrived while it was being opened.
      if (same(signed, admission.digest)) this.#tally(admission.participant).verified++;
      else this.#forged(st, admission.participant);
      return;
    }
    if (st.ranges.some((r) => admission.ctr >= r.from && admission.ctr <= r.to)) {
      this.#flag(st, admission.ctr);
      this.#unsigned(st, admission.participant);
      return;
    }
    st.pending.set(admission.ctr, { digest: admission.digest, at: this.#now(), participant: admission.participant });
  }

  /**
   * Time passes. It never flags anyone (only a verified batch does, #apply): a frame shown early and
   * MEDIA_SIGNATURE_BOUND_MS old without its batch makes its sender "late" (nothing more is shown
   * before its batch), a frame held that long is dropped unjudged, and old ranges go.
   */
  sweep(): void {
    const now = this.#now();
    for (const st of this.#kids.values()) {
      for (const [ctr, shown] of st.pending) {
        if (now - shown.at >= MEDIA_SIGNATURE_BOUND_MS) st.late = true;
        if (now - shown.at >= PENDING_MS) st.pending.delete(ctr);
      }
      if (st.late && st.pending.size === 0) st.late = false;
      for (const w of st.waiting) {
        if (now - w.since < MEDIA_SIGNATURE_BOUND_MS) continue;
        st.waiting.delete(w);
        // Starved, not merely late: no batch of this KID at all came while it waited.
        if (st.batchAt < w.since) st.starvedAt = now;
        w.resolve(DROP);
      }
      while (st.ranges.length > 0 && now - st.ranges[0]!.at > MEDIA_BATCH_RETENTION_MS) this.#forgetRange(st);
    }
  }

  #forgetRange(st: KidState): void {
    const range = st.ranges.shift();
    if (range === undefined) return;
    for (const ctr of range.listed) st.entries.delete(ctr);
  }

  /** KIDs with batches but no statement since the last call (the page asks their senders again). */
  takeMissing(): bigint[] {
    const kids = [...this.#missing].filter((kid) => this.#kids.has(kid));
    this.#missing.clear();
    return kids;
  }

  /**
   * This page's own signaling socket was away: unsigned flags raised since (not proven forgeries)
   * are forgiven, and frames shown meanwhile and not judged yet are forgotten.
   */
  forgive(): void {
    for (const st of this.#kids.values()) {
      st.pending.clear();
      st.flagged.clear();
      st.late = false;
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
    const late = new Set<string>();
    const unverified = new Set<string>();
    const refused: string[] = [];
    for (const st of this.#kids.values()) {
      if (st.proven || now < st.holdUntil) holding.add(st.owner);
      if (st.late) late.add(st.owner);
      if (st.batchAt < st.starvedAt && now - st.starvedAt < MEDIA_SIGNATURE_BOUND_MS) unverified.add(st.owner);
      if (st.refused && !refused.includes(st.owner)) refused.push(st.owner);
    }
    const byParticipant = new Map<string, SignatureTally>();
    const flags = (id: string) => ({ holding: holding.has(id), late: late.has(id), unverified: unverified.has(id) });
    for (const id of [...holding, ...late, ...unverified]) if (!this.#tallies.has(id)) byParticipant.set(id, { verified: 0, unsigned: 0, forged: 0, held: 0, ...flags(id) });
    for (const [id, t] of this.#tallies) byParticipant.set(id, { ...t, ...flags(id) });
    const c = this.#coverage;
    return { byParticipant, refused, badBatches: this.#badBatches, coverage: { count: c.count, meanMs: c.count === 0 ? 0 : c.totalMs / c.count, maxMs: c.maxMs, late: c.late } };
  }

  /** Remember (a few) counters flagged unsigned, to count batches that list them later (an honest sender never makes one). */
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
