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
/** Per receiver, the recording of the track it carries now. */
const recordings = new Map<number, Recording>();
/**
 * Recordings of tracks a receiver carried before: LiveKit reuses an idle transceiver for a later
 * track of the same kind (its subscriber's AddTrack), so one receiver can carry several tracks in turn.
 */
const ended: { recording: Recording; label: { identity: string; trackSid: string } | undefined }[] = [];
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

/** The receiver's track ended (unsubscribed): keep its recording, and record whatever it carries next afresh. */
function endRecording(receiverId: number): void {
  const recording = recordings.get(receiverId);
  if (recording === undefined) return;
  ended.push({ recording, label: labels.get(receiverId) });
  recordings.set(receiverId, { options: recording.options, seen: 0, first: undefined, rest: [] });
  labels.delete(receiverId);
}

scope.onrtctransform = ({ transformer }) => {
  const { receiverId } = transformer.options;
  recordings.set(receiverId, { options: transformer.options, seen: 0, first: undefined, rest: [] });
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    transform(frame, controller) {
      const recording = recordings.get(receiverId);
      if (recording !== undefined) record(recording, frame);
      controller.enqueue(frame);
    },
  });
  void transformer.readable.pipeThrough(transform).pipeTo(transformer.writable).catch(() => undefined);
};

scope.onmessage = ({ data: message }) => {
  switch (message.type) {
    case 'label': {
      const { receiverId, identity, trackSid } = message;
      // A reused receiver whose end was not reported: its earlier track's frames are not this one's.
      const previous = labels.get(receiverId);
      if (previous !== undefined && previous.trackSid !== trackSid) endRecording(receiverId);
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
    case 'unlabel':
      endRecording(message.receiverId);
      return;
    case 'read': {
      const current = [...recordings.values()].map((recording) => ({ recording, label: labels.get(recording.options.receiverId) }));
      const entries = [...ended, ...current];
      const all = entries.map((entry) => entry.recording);
      const tracks: RecorderTrack[] = entries.map(({ recording, label }) => {
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
      ended.length = 0;
      for (const recording of recordings.values()) {
        recording.seen = 0;
        recording.first = undefined;
        recording.rest = [];
      }
      scope.postMessage({ type: 'cleared', requestId: message.requestId });
      return;
  }
};
