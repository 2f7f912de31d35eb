// The page side of media encryption. One media Worker per page; every RTCRtpSender and
// RTCRtpReceiver the page ever creates gets an RTCRtpScriptTransform into it, at creation, through
// the transform hook (so before negotiation, so before any frame can leave). Until a send key is
// installed the Worker drops every outgoing frame; it never forwards one in clear.
//
// Epoch keys arrive from the membership (session/membership.ts). Receive keys of a new epoch are
// installed at once; this page starts SENDING under the new epoch only after SWITCH_DELAY_MS, so
// the other members have installed it too; the previous epoch's keys are forgotten GRACE_MS after
// the switch, so frames still in flight open. Decision record 0006 explains both numbers.
import { type TestMode } from '../../worker/test-forger';
import { type KeyEntry, type FromWorker, NO_DROPS, type SentHeader, type SignatureStats, type ToWorker, type WorkerStats } from '../../worker/messages';
import { detachedEndpoints, onReceiverCreated, onSenderCreated, pinTransform, refusedTransformChanges, type MediaKind } from '../media/transform-hook';
import { type EpochKeys, type MediaSink, type SignedMedia } from '../session/media-sink';
import { GRACE_MS, SWITCH_DELAY_MS } from '../../../../protocol/limits';
import { auditEnabled, trace, traceEvents, type TraceEvent } from './trace';


type ScriptTransformConstructor = new (worker: Worker, options?: unknown) => unknown;
const ScriptTransform = (globalThis as { RTCRtpScriptTransform?: ScriptTransformConstructor }).RTCRtpScriptTransform;

export type { EpochKeys };

const EMPTY_STATS: WorkerStats = { encrypted: 0, decrypted: 0, dropped: NO_DROPS, decryptedByKid: new Map(), byParticipant: new Map(), newerEpoch: -1 };
const EMPTY_SIGNATURES: SignatureStats = { byParticipant: new Map(), refused: [], badBatches: 0, coverage: { count: 0, meanMs: 0, maxMs: 0, late: 0 } };

export class MediaKeys implements MediaSink {
  /** Latest counters from the Worker. */
  stats = $state.raw<WorkerStats>(EMPTY_STATS);
  /** [M1] What the signed batches said, from the Worker. */
  signatures = $state.raw<SignatureStats>(EMPTY_SIGNATURES);
  readonly signed: SignedMedia;
  /** The epoch this page currently sends under, if any. */
  sendingEpoch = $state<number | null>(null);
  /** Problems the Worker reported while installing keys. */
  keyErrors = $state(0);
  /**
   * Participants one of whose receivers lost its transform (something bypassed the pin): their
   * tracks are disabled, so nothing of them renders, and their tiles say why.
   */
  detached = $state.raw<ReadonlySet<string>>(new Set());
  /** Attempts by other code to replace or remove a transform, all refused (transform-hook.ts). */
  refusedTransformChanges = $state(0);

  readonly #worker: Worker;
  readonly #ownKey: Promise<Uint8Array>;
  #gotOwnKey: (key: Uint8Array) => void = () => undefined;
  readonly #batchHandlers = new Set<(bytes: Uint8Array) => void>();
  readonly #missingHandlers = new Set<(kids: readonly bigint[]) => void>();
  readonly #newerEpochHandlers = new Set<(epoch: number) => void>();
  /** Sending is held back (a withheld membership change); the send KID to go back to when released. */
  #held = false;
  #sendKid: { kid: bigint; epoch: number } | null = null;
  readonly #labels = new WeakMap<RTCRtpReceiver, string>();
  readonly #boundTo = new WeakMap<RTCRtpReceiver, string>();
  readonly #installed = new Map<number, bigint[]>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #audit: SentHeader[] = [];
  readonly #openedAudit: SentHeader[] = [];
  readonly #forgedAudit: SentHeader[] = [];
  #transforms = 0;
  #latestEpoch = -1;

  constructor() {
    if (ScriptTransform === undefined) throw new Error('this browser cannot encrypt media (no RTCRtpScriptTransform)');
    this.#worker = new Worker(new URL('../../worker/media-worker.ts', import.meta.url), { type: 'module', name: 'sealroom-media' });
    this.#worker.onmessage = (event: MessageEvent<FromWorker>) => this.#received(event.data);
    this.#ownKey = new Promise((resolve) => (this.#gotOwnKey = resolve));
    this.signed = {
      ownKey: () => this.#ownKey,
      room: (roomId) => this.#post({ type: 'media-room', roomId }),
      signer: (kid, life, publicKey) => this.#post({ type: 'media-signer', kid, life, publicKey }),
      batch: (bytes) => this.#post({ type: 'media-batch', bytes }),
      onBatch: (handler) => {
        this.#batchHandlers.add(handler);
        return () => this.#batchHandlers.delete(handler);
      },
      onMissingSigners: (handler) => {
        this.#missingHandlers.add(handler);
        return () => this.#missingHandlers.delete(handler);
      },
      resynced: () => this.#post({ type: 'media-resynced' }),
    };
    onSenderCreated((sender, kind) => this.#attach(sender, 'send', kind));
    onReceiverCreated((receiver, kind) => this.#attach(receiver, 'receive', kind));
    if (auditEnabled()) {
      this.#post({ type: 'audit', on: true });
      // Test and debugging view: public header fields and counters only, never a key.
      Object.defineProperty(globalThis, 'sealroomAudit', { value: () => this.#auditView(), configurable: true });
      // Browser tests of [M1] only: play a forger or a lossy path in this page's Worker (test-forger.ts).
      Object.defineProperty(globalThis, 'sealroomTestMode', { value: (mode: TestMode) => this.#post({ type: 'test-mode', mode }), configurable: true });
    }
  }

  /** Install an epoch's keys; switch sending to it after SWITCH_DELAY_MS; retire older epochs after GRACE_MS more. */
  install(epoch: EpochKeys): void {
    if (epoch.epoch <= this.#latestEpoch) return;
    this.#latestEpoch = epoch.epoch;
    const keys: KeyEntry[] = [...epoch.keys].map(([kid, { baseKey, owner }]) => ({ kid, baseKey, owner }));
    const own = epoch.send === null ? undefined : keys.find((k) => k.kid === epoch.send?.kid);
    const send = own === undefined || epoch.send === null ? undefined : { ...own, life: epoch.send.life };
    this.#post({ type: 'add-keys', keys, ...(send ? { send } : {}) });
    this.#installed.set(epoch.epoch, keys.map((k) => k.kid));
    trace('keys-installed', epoch.epoch);
    this.#later(SWITCH_DELAY_MS, () => {
      if (this.#latestEpoch !== epoch.epoch) return; // a newer epoch arrived meanwhile
      if (send) {
        this.#sendKid = { kid: send.kid, epoch: epoch.epoch };
        if (!this.#held) this.#useSendKid();
      } else {
        this.#sendKid = null;
        this.#post({ type: 'stop-sending' });
        this.sendingEpoch = null;
      }
      this.#later(GRACE_MS, () => this.#retireBefore(epoch.epoch));
    });
  }

  /** Stop sending, keeping every key, until release(): this page may be behind the others. */
  hold(): void {
    this.#held = true;
    this.#post({ type: 'stop-sending' });
    this.sendingEpoch = null;
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (this.#sendKid !== null) this.#useSendKid();
  }

  /** Called whenever the Worker reports frames under an epoch newer than the held ones. */
  onNewerEpoch(handler: (epoch: number) => void): () => void {
    this.#newerEpochHandlers.add(handler);
    return () => this.#newerEpochHandlers.delete(handler);
  }

  #useSendKid(): void {
    const send = this.#sendKid!;
    this.#post({ type: 'use-send-kid', kid: send.kid });
    this.sendingEpoch = send.epoch;
    trace('sending', send.epoch);
  }

  /** Stop sending at once (left, removed, ended) and forget every key. */
  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#post({ type: 'stop-sending' });
    this.#retireBefore(Number.MAX_SAFE_INTEGER);
    this.sendingEpoch = null;
    this.#sendKid = null;
  }

  /**
   * The SFU says `receiver` carries a track of `participant` (null: of nobody any more). Frames on
   * it open only under that participant's KIDs.
   */
  bindReceiver(receiver: RTCRtpReceiver, participant: string | null): void {
    const label = this.#labels.get(receiver);
    if (label === undefined) return; // not one of this page's transforms: it carries nothing that opens
    if (participant === null) this.#boundTo.delete(receiver);
    else this.#boundTo.set(receiver, participant);
    this.#post({ type: 'bind-receiver', label, participant });
  }

  /** (KID, CTR) of every frame sent while the audit flag is on. */
  auditLog(): readonly SentHeader[] {
    return this.#audit;
  }

  #auditView(): { headers: [string, string, string][]; opened: [string, string, string][]; forged: [string, string, string][]; stats: Record<string, unknown>; sendingEpoch: number | null; events: readonly TraceEvent[] } {
    const { decryptedByKid, byParticipant, ...counts } = this.stats;
    return {
      headers: this.#audit.map((h) => [h.kid.toString(), h.ctr.toString(), h.label]),
      opened: this.#openedAudit.map((h) => [h.kid.toString(), h.ctr.toString(), h.label]),
      forged: this.#forgedAudit.map((h) => [h.kid.toString(), h.ctr.toString(), h.label]),
      stats: {
        ...counts,
        decryptedByKid: Object.fromEntries([...decryptedByKid].map(([kid, n]) => [kid.toString(), n])),
        byParticipant: Object.fromEntries(byParticipant),
        detached: [...this.detached],
        refusedTransformChanges: this.refusedTransformChanges,
        signatures: { ...this.signatures, byParticipant: Object.fromEntries(this.signatures.byParticipant) },
      },
      sendingEpoch: this.sendingEpoch,
      events: traceEvents(),
    };
  }

  #attach(endpoint: RTCRtpSender | RTCRtpReceiver, side: 'send' | 'receive', kind: MediaKind): void {
    const label = `${side}-${kind}-${++this.#transforms}`;
    // Attaching is synchronous; the hook runs before the endpoint is negotiated. Pinned: nobody
    // else can replace or remove it afterwards (transform-hook.ts).
    pinTransform(endpoint, new ScriptTransform!(this.#worker, { side, kind, label }) as object);
    if (side === 'receive') this.#labels.set(endpoint as RTCRtpReceiver, label);
  }

  /**
   * Fail closed if anything got past the pin: a receiver without our transform would hand the
   * decoder whatever the SFU sends, so its track is disabled (renders nothing) and its tile says
   * so; a sender without it would send in clear, so its track is taken off.
   */
  #watchTransforms(): void {
    this.refusedTransformChanges = refusedTransformChanges();
    const { senders, receivers } = detachedEndpoints();
    for (const sender of senders) void sender.replaceTrack(null).catch(() => undefined);
    if (receivers.length === 0) return;
    const detached = new Set(this.detached);
    for (const receiver of receivers) {
      receiver.track.enabled = false;
      const participant = this.#boundTo.get(receiver);
      if (participant !== undefined) detached.add(participant);
    }
    if (detached.size !== this.detached.size) this.detached = detached;
  }

  #retireBefore(epoch: number): void {
    const kids: bigint[] = [];
    for (const [e, list] of this.#installed) {
      if (e >= epoch) continue;
      kids.push(...list);
      this.#installed.delete(e);
    }
    if (kids.length > 0) this.#post({ type: 'remove-keys', kids });
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  #received(message: FromWorker): void {
    switch (message.type) {
      case 'stats':
        this.stats = message.stats;
        this.signatures = message.signatures;
        this.#watchTransforms();
        if (message.stats.newerEpoch >= 0) for (const handler of this.#newerEpochHandlers) handler(message.stats.newerEpoch);
        break;
      case 'sent-headers':
        this.#audit.push(...message.headers);
        break;
      case 'opened-headers':
        this.#openedAudit.push(...message.headers);
        break;
      case 'forged-headers':
        this.#forgedAudit.push(...message.headers);
        break;
      case 'media-key':
        this.#gotOwnKey(message.publicKey);
        trace('media-key', message.engine);
        break;
      case 'media-batch-out':
        for (const handler of this.#batchHandlers) handler(message.bytes);
        break;
      case 'media-missing-signers':
        for (const handler of this.#missingHandlers) handler(message.kids);
        break;
      case 'first-open':
        trace('first-open', message.kid.toString());
        break;
      case 'key-error':
        this.keyErrors++;
        console.warn(`media keys: ${message.message}`);
        break;
    }
  }
}

let shared: MediaKeys | undefined;

/** The page's one MediaKeys (one Worker, one counter space per KID for the page's lifetime). */
export function mediaKeys(): MediaKeys {
  shared ??= new MediaKeys();
  return shared;
}
