// The raw peer's recorder: the Worker every receiver's RTCRtpScriptTransform runs in. It copies each
// encoded frame the SFU delivers (bytes, type, RTP timestamp, metadata), keeps a bounded number per
// receiver, and forwards the frame itself unchanged, so the page decodes exactly what it would without it.
import type { FrameMetadata, FrameRecord, FromRecorder, RecorderOptions, RecorderTrack, ToRecorder } from './api';

// The WebWorker lib cannot be combined with the DOM lib, so the few Worker-side WebRTC types are
// declared here, as in client/src/worker/media-worker.ts (W3C WebRTC Encoded Transform §6).
interface EncodedFrame {
  readonly data: ArrayBuffer;
  /** Video frames only. */
  readonly type?: 'key' | 'delta' | 'empty';
  readonly timestamp?: number;
  getMetadata(): Record<string, unknown>;
}
interface ScriptTransformer {
  readonly readable: ReadableStream<EncodedFrame>;
  readonly writable: WritableStream<EncodedFrame>;
  readonly options: RecorderOptions;
}
interface WorkerScope {
  onrtctransform: ((event: { transformer: ScriptTransformer }) => void) | null;
  onmessage: ((event: MessageEvent<ToRecorder>) => void) | null;
  postMessage(message: FromRecorder): void;
}

interface Recording {
  readonly options: RecorderOptions;
  seen: number;
  first: FrameRecord | undefined;
  rest: FrameRecord[];
}

const scope = self as unknown as WorkerScope;
const recordings = new Map<number, Recording>();
const labels = new Map<number, { identity: string; trackSid: string }>();
let seq = 0;

function kept(recording: Recording): FrameRecord[] {
  return recording.first === undefined ? [] : [recording.first, ...recording.rest];
}

function jsonSafe(metadata: Record<string, unknown>): FrameMetadata {
  const out: Record<string, FrameMetadata[string]> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') out[key] = value;
    else if (Array.isArray(value) && value.every((item) => typeof item === 'number' || typeof item === 'string')) out[key] = value;
  }
  return out;
}

function record(recording: Recording, frame: EncodedFrame): void {
  const { receiverId, kind, maxFramesPerTrack, retain } = recording.options;
  recording.seen += 1;
  const capacity = maxFramesPerTrack - 1; // besides the first frame
  const full = recording.first !== undefined && recording.rest.length >= capacity;
  if (full && (retain === 'first' || capacity <= 0)) return;
  const metadata = jsonSafe(frame.getMetadata());
  const label = labels.get(receiverId);
  const rtpTimestamp = typeof metadata['rtpTimestamp'] === 'number' ? metadata['rtpTimestamp'] : (frame.timestamp ?? null);
  const entry: FrameRecord = {
    seq: seq++,
    receiverId,
    identity: label?.identity ?? null,
    trackSid: label?.trackSid ?? null,
    kind,
    type: kind === 'audio' ? 'audio' : (frame.type ?? 'delta'),
    rtpTimestamp,
    arrivalMs: Date.now(),
    byteLength: frame.data.byteLength,
    metadata,
    data: new Uint8Array(frame.data.slice(0)),
  };
  if (recording.first === undefined) recording.first = entry;
  else {
    if (full) recording.rest.shift();
    recording.rest.push(entry);
  }
}

scope.onrtctransform = ({ transformer }) => {
  const recording: Recording = { options: transformer.options, seen: 0, first: undefined, rest: [] };
  recordings.set(transformer.options.receiverId, recording);
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    transform(frame, controller) {
      record(recording, frame);
      controller.enqueue(frame);
    },
  });
  void transformer.readable.pipeThrough(transform).pipeTo(transformer.writable).catch(() => undefined);
};

scope.onmessage = ({ data: message }) => {
  switch (message.type) {
    case 'label': {
      const { receiverId, identity, trackSid } = message;
      labels.set(receiverId, { identity, trackSid });
      // Frames that came before LiveKit named the track belong to it.
      const recording = recordings.get(receiverId);
      for (const frame of recording === undefined ? [] : kept(recording)) {
        if (frame.identity !== null) continue;
        frame.identity = identity;
        frame.trackSid = trackSid;
      }
      return;
    }
    case 'read': {
      const all = [...recordings.values()];
      const tracks: RecorderTrack[] = all.map((recording) => {
        const label = labels.get(recording.options.receiverId);
        return {
          receiverId: recording.options.receiverId,
          identity: label?.identity ?? null,
          trackSid: label?.trackSid ?? null,
          kind: recording.options.kind,
          seen: recording.seen,
          kept: kept(recording).length,
        };
      });
      const frames = message.withFrames ? all.flatMap(kept).sort((a, b) => a.seq - b.seq) : [];
      scope.postMessage({ type: 'read', requestId: message.requestId, tracks, frames });
      return;
    }
    case 'clear':
      for (const recording of recordings.values()) {
        recording.seen = 0;
        recording.first = undefined;
        recording.rest = [];
      }
      scope.postMessage({ type: 'cleared', requestId: message.requestId });
      return;
  }
};
