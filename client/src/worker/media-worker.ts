// The media Worker: every RTCRtpScriptTransform of the page (each sender and each receiver) runs
// here, through one FrameCryptor. The page posts keys (ToWorker); the Worker posts stats
// (FromWorker) twice a second. Frames that cannot be protected or opened are dropped, never
// forwarded in clear.
import { FrameCryptor } from './frame-cryptor';
import { type FromWorker, type ToWorker, type TransformOptions, codecForKind } from './messages';

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
}
interface WorkerScope {
  onrtctransform: ((event: { transformer: ScriptTransformer }) => void) | null;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = self as unknown as WorkerScope;
const cryptor = new FrameCryptor();
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
      return;
    case 'remove-keys':
      cryptor.removeKeys(message.kids);
      return;
    case 'stop-sending':
      cryptor.stopSending();
      return;
  }
}

scope.onrtctransform = ({ transformer }) => {
  const { side, kind } = transformer.options;
  const codec = codecForKind(kind);
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    async transform(frame, controller) {
      await keyChain;
      const data = new Uint8Array(frame.data);
      const out = side === 'send' ? await cryptor.encrypt(data, codec, frame.getMetadata().mimeType) : await cryptor.decrypt(data, codec);
      if (out === null) return; // dropped: fail closed
      frame.data = out.buffer.byteLength === out.byteLength ? (out.buffer as ArrayBuffer) : out.slice().buffer;
      controller.enqueue(frame);
    },
  });
  void transformer.readable.pipeThrough(transform).pipeTo(transformer.writable).catch(() => undefined);
};

setInterval(() => scope.postMessage({ type: 'stats', stats: cryptor.stats() }), 500);
