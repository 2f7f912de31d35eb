// The media Worker: every RTCRtpScriptTransform of the page (each sender and each receiver) runs
// here, through one FrameCryptor, so one counter per KID covers every track, layer and restart.
// The page posts keys (ToWorker); the Worker posts stats (FromWorker) twice a second. Frames that
// cannot be protected or opened are dropped, never forwarded in clear.
//
// Two latency aids, neither of which touches keys: when the page switches the send KID, every
// video sender is asked for a key frame, so receivers that only hold the new epoch can start
// decoding at once; and a video receiver that opens a frame after a run of drops asks its sender
// for a key frame, because the decoder has lost its reference.
import { splitMediaFrame } from '../../../crypto/index';
import { decodeSFrameHeader } from '../../../crypto/index';
import { FrameCryptor } from './frame-cryptor';
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

const scope = self as unknown as WorkerScope;
const cryptor = new FrameCryptor();
const videoSenders = new Set<ScriptTransformer>();
/** Receiver transform label -> the participant whose track it carries (as the SFU says). */
const boundReceivers = new Map<string, string>();
let audit: SentHeader[] | null = null;
// Key updates are applied in order, and frames wait for any update already posted before them.
let keyChain: Promise<void> = Promise.resolve();

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
      return;
    case 'remove-keys':
      cryptor.removeKeys(message.kids);
      return;
    case 'stop-sending':
      cryptor.stopSending();
      return;
    case 'audit':
      audit = message.on ? (audit ?? []) : null;
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
      const data = new Uint8Array(frame.data);
      let out: Uint8Array | null;
      if (side === 'send') {
        out = await cryptor.encrypt(data, codec, frame.getMetadata().mimeType);
        if (out !== null && audit !== null) record(out, label);
      } else {
        const before = cryptor.openedKids();
        out = await cryptor.decrypt(data, codec, boundReceivers.get(label), performance.now());
        if (cryptor.openedKids() > before) announceNewKid();
        if (out === null) failing = true;
        else if (failing && kind === 'video') {
          failing = false;
          const now = performance.now();
          if (now - lastRequest > KEY_FRAME_REQUEST_GAP_MS) {
            lastRequest = now;
            void transformer.sendKeyFrameRequest?.().catch(() => undefined);
          }
        }
      }
      if (out === null) return; // dropped: fail closed
      frame.data = out.buffer.byteLength === out.byteLength ? (out.buffer as ArrayBuffer) : out.slice().buffer;
      controller.enqueue(frame);
    },
  });
  void transformer.readable
    .pipeThrough(transform)
    .pipeTo(transformer.writable)
    .catch(() => undefined)
    .finally(() => videoSenders.delete(transformer));

  function record(protectedFrame: Uint8Array, what: string): void {
    const header = decodeSFrameHeader(splitMediaFrame(codec, protectedFrame).rest);
    audit?.push({ kid: header.kid, ctr: header.ctr, label: what });
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
  scope.postMessage({ type: 'stats', stats: cryptor.stats() });
  if (audit !== null && audit.length > 0) scope.postMessage({ type: 'sent-headers', headers: audit.splice(0, AUDIT_BATCH) });
}, STATS_INTERVAL_MS);
