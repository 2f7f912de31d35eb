// The media Worker: every RTCRtpScriptTransform of the page (each sender and each receiver) runs
// here, through one FrameCryptor, so one counter per KID covers every track, layer and restart.
// The page posts keys (ToWorker); the Worker posts stats (FromWorker) twice a second. Frames that
// cannot be protected or opened are dropped, never forwarded in clear.
//
// Two latency aids, neither of which touches keys: when the page switches the send KID, every
// video sender is asked for a key frame, so receivers that only hold the new epoch can start
// decoding at once; and a video receiver that opens a frame after a run of drops asks its sender
// for a key frame, because the decoder has lost its reference.
import { MEDIA_BATCH_INTERVAL_MS, splitMediaFrame, sodiumReady } from '../../../crypto/index';
import { decodeSFrameHeader } from '../../../crypto/index';
import { FrameCryptor } from './frame-cryptor';
import { MediaSigner } from './media-signer';
import { MediaVerifier } from './media-verifier';
import { TestForger } from './test-forger';
import { type FromWorker, type SentHeader, type ToWorker, type TransformOptions, codecForKind } from './messages';

// The WebWorker lib cannot be combined with the DOM lib the rest of the client uses, so the few
// Worker-side WebRTC types are declared here (W3C WebRTC Encoded Transform §6).
interface EncodedFrame {
  data: ArrayBuffer;
  getMetadata(): { mimeType?: string };
}
interface ScriptTransformer {
  readonly readable: ReadableStream<EncodedFrame>;
  readonly writable: WritableStream<EncodedFrame>;
  readonly options: TransformOptions;
  generateKeyFrame?(rid?: string): Promise<unknown>;
  sendKeyFrameRequest?(): Promise<unknown>;
}
interface WorkerScope {
  onrtctransform: ((event: { transformer: ScriptTransformer }) => void) | null;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const STATS_INTERVAL_MS = 500;
/** A receiver asks for a key frame at most this often. */
const KEY_FRAME_REQUEST_GAP_MS = 1000;
/** Audit entries are posted in batches of at most this many, at the stats interval. */
const AUDIT_BATCH = 4096;
/** Audit entries held in the Worker before the page collects them; beyond it new ones are not kept. */
const MAX_AUDIT_ENTRIES = 200_000;

const scope = self as unknown as WorkerScope;
const cryptor = new FrameCryptor();
/** [M1] This page's media signing key and what it sealed; the other members' batches. */
const signer = new MediaSigner();
const verifier = new MediaVerifier(() => performance.now());
/** The verifier's clock: held frames and frames shown before their batch are judged this often. */
const SWEEP_MS = 25;
const videoSenders = new Set<ScriptTransformer>();
/** Receiver transform label -> the participant whose track it carries (as the SFU says). */
const boundReceivers = new Map<string, string>();
let audit: SentHeader[] | null = null;
/** Audit only: received frames that opened. */
let opened: SentHeader[] | null = null;
const forger = new TestForger();
// Key updates are applied in order, and frames wait for any update already posted before them.
// libsodium (frame digests) is loaded before the first update or frame.
let keyChain: Promise<void> = sodiumReady()
  .then(async () => {
    scope.postMessage({ type: 'media-key', publicKey: await signer.publicKey(), engine: await signer.engine() });
  })
  .catch((error: unknown) => {
    scope.postMessage({ type: 'key-error', kid: -1n, message: error instanceof Error ? error.message : 'media signing key failed' });
  });

scope.onmessage = (event) => {
  const message = event.data;
  keyChain = keyChain.then(() => apply(message)).catch((error: unknown) => {
    scope.postMessage({ type: 'key-error', kid: -1n, message: error instanceof Error ? error.message : 'key update failed' });
  });
};

async function apply(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'add-keys':
      await cryptor.addKeys(message.keys, message.send);
      verifier.addKeys(message.keys);
      if (message.send !== undefined && audit !== null) forger.sendKey(message.send.kid, message.send.baseKey);
      return;
    case 'use-send-kid':
      cryptor.useSendKid(message.kid);
      for (const sender of videoSenders) void sender.generateKeyFrame?.().catch(() => undefined);
      return;
    case 'bind-receiver':
      if (message.participant === null) boundReceivers.delete(message.label);
      else boundReceivers.set(message.label, message.participant);
      cryptor.bound(message.participant);
      cryptor.keepTallies(new Set(boundReceivers.values()));
      verifier.keepTallies(new Set(boundReceivers.values()));
      return;
    case 'remove-keys':
      cryptor.removeKeys(message.kids);
      verifier.removeKeys(message.kids);
      return;
    case 'media-room':
      signer.room(message.roomId);
      verifier.room(message.roomId);
      return;
    case 'media-signer':
      verifier.signer(message.kid, message.life, message.publicKey);
      return;
    case 'media-batch':
      void verifier.batch(message.bytes);
      return;
    case 'media-resynced':
      verifier.forgive();
      return;
    case 'stop-sending':
      cryptor.stopSending();
      return;
    case 'audit':
      audit = message.on ? (audit ?? []) : null;
      opened = message.on ? (opened ?? []) : null;
      if (!message.on) forger.set(null);
      return;
    case 'test-mode':
      if (audit !== null) forger.set(message.mode);
      return;
  }
}

scope.onrtctransform = ({ transformer }) => {
  const { side, kind, label } = transformer.options;
  const codec = codecForKind(kind);
  if (side === 'send' && kind === 'video') videoSenders.add(transformer);
  let failing = false;
  let lastRequest = 0;
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    async transform(frame, controller) {
      await keyChain;
      const emit = (out: Uint8Array): void => {
        frame.data = out.buffer.byteLength === out.byteLength ? (out.buffer as ArrayBuffer) : out.slice().buffer;
        controller.enqueue(frame);
      };
      const data = new Uint8Array(frame.data);
      if (side === 'send') {
        const sealed = signer.sealing(); // before the counter is taken (inside encrypt)
        const out = await cryptor.encrypt(data, codec, frame.getMetadata().mimeType);
        sealed(out, codec);
        if (out === null) return; // dropped: fail closed
        if (audit !== null) record(out, label);
        if (forger.forging) return forger.pass(data, out, codec, label, emit);
        return emit(out);
      }
      if (forger.disordering) return forger.arrive(label, () => receive(data, emit));
      return receive(data, emit);
    },
  });

  async function receive(data: Uint8Array, emit: (out: Uint8Array) => void): Promise<void> {
    const boundTo = boundReceivers.get(label);
    const admission = await verifier.admit(data, codec, boundTo);
    const before = cryptor.openedKids();
    const out = admission.kind === 'drop' ? null : await cryptor.decrypt(data, codec, boundTo, performance.now());
    if (cryptor.openedKids() > before) announceNewKid();
    if (out === null) {
      failing = true;
      return; // dropped: fail closed
    }
    if (admission.kind === 'optimistic') verifier.shown(admission);
    if (opened !== null) recordIn(opened, data, label);
    if (failing && kind === 'video') {
      failing = false;
      const now = performance.now();
      if (now - lastRequest > KEY_FRAME_REQUEST_GAP_MS) {
        lastRequest = now;
        void transformer.sendKeyFrameRequest?.().catch(() => undefined);
      }
    }
    emit(out);
  }
  void transformer.readable
    .pipeThrough(transform)
    .pipeTo(transformer.writable)
    .catch(() => undefined)
    .finally(() => videoSenders.delete(transformer));

  function record(protectedFrame: Uint8Array, what: string): void {
    if (audit !== null) recordIn(audit, protectedFrame, what);
  }

  function recordIn(log: SentHeader[], protectedFrame: Uint8Array, what: string): void {
    const header = decodeSFrameHeader(splitMediaFrame(codec, protectedFrame).rest);
    if (log.length < MAX_AUDIT_ENTRIES) log.push({ kid: header.kid, ctr: header.ctr, label: what });
  }
};

/** Post the KIDs that opened their first frame since the last call. */
const announced = new Set<bigint>();
function announceNewKid(): void {
  for (const kid of cryptor.stats().decryptedByKid.keys()) {
    if (announced.has(kid)) continue;
    announced.add(kid);
    scope.postMessage({ type: 'first-open', kid });
  }
}

setInterval(() => {
  scope.postMessage({ type: 'stats', stats: cryptor.stats(), signatures: verifier.stats() });
  const missing = verifier.takeMissing();
  if (missing.length > 0) scope.postMessage({ type: 'media-missing-signers', kids: missing });
  if (audit !== null && audit.length > 0) scope.postMessage({ type: 'sent-headers', headers: audit.splice(0, AUDIT_BATCH) });
  if (opened !== null && opened.length > 0) scope.postMessage({ type: 'opened-headers', headers: opened.splice(0, AUDIT_BATCH) });
  if (forger.forged.length > 0) scope.postMessage({ type: 'forged-headers', headers: forger.forged.splice(0, AUDIT_BATCH) });
}, STATS_INTERVAL_MS);

setInterval(() => verifier.sweep(), SWEEP_MS);
setInterval(() => {
  void signer.flush().then((batches) => {
    for (const bytes of batches) scope.postMessage({ type: 'media-batch-out', bytes });
  });
}, MEDIA_BATCH_INTERVAL_MS);
