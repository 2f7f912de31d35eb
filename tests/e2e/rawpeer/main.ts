// The raw LiveKit peer: a test-only page that joins a LiveKit room with plain livekit-client and no
// Sealroom keys. As a spy it records, through its own receiver-side RTCRtpScriptTransform, every
// encoded frame the SFU delivers; as a clear publisher it also sends its fake camera (VP8, one layer)
// and microphone with no transform, i.e. an SFU that lies about who is in the call. Driven from Node
// (tests/e2e/harness/rawpeer.ts) through window.rawPeer.
import { Room, RoomEvent, Track, createLocalTracks, type RemoteParticipant, type RemoteTrack, type RemoteTrackPublication } from 'livekit-client';
import {
  type CandidateAddresses,
  type ConnectOptions,
  type ConnectResult,
  DEFAULT_MAX_FRAMES_PER_TRACK,
  type FrameFilter,
  type FrameRecord,
  type FromRecorder,
  type MediaKind,
  type PublishedTrack,
  type RawPeerApi,
  type RecordedFrame,
  type RecorderOptions,
  type ToRecorder,
} from './api';
import { decodeVp8 } from './decode';

declare global {
  interface Window {
    rawPeer: RawPeerApi;
  }
}

const worker = new Worker(new URL('./record-worker.ts', import.meta.url), { type: 'module', name: 'rawpeer-recorder' });
const receiverIds = new WeakMap<RTCRtpReceiver, number>();
const peerConnections: RTCPeerConnection[] = [];
const replies = new Map<number, (reply: FromRecorder) => void>();
let nextReceiverId = 0;
let nextRequestId = 0;
let room: Room | undefined;
/** Frames the video sender sends instead of the camera's (ConnectOptions.replay), once connect() set them. */
let replayFrames: Uint8Array[] | undefined;
let replayWorker: Worker | undefined;
let recording: Pick<RecorderOptions, 'maxFramesPerTrack' | 'retain'> = { maxFramesPerTrack: DEFAULT_MAX_FRAMES_PER_TRACK, retain: 'first' };

worker.onmessage = ({ data: reply }: MessageEvent<FromRecorder>) => {
  replies.get(reply.requestId)?.(reply);
  replies.delete(reply.requestId);
};

function ask(message: ToRecorder & { requestId: number }): Promise<FromRecorder> {
  return new Promise((resolve) => {
    replies.set(message.requestId, resolve);
    worker.postMessage(message);
  });
}

function asKind(kind: string): MediaKind {
  if (kind !== 'audio' && kind !== 'video') throw new Error(`unexpected track kind ${kind}`);
  return kind;
}

/** Gives `receiver` a recording transform (once) and returns its id. */
function recorderOf(receiver: RTCRtpReceiver): number {
  const known = receiverIds.get(receiver);
  if (known !== undefined) return known;
  const receiverId = ++nextReceiverId;
  const options: RecorderOptions = { receiverId, kind: asKind(receiver.track.kind), ...recording };
  receiver.transform = new RTCRtpScriptTransform(worker, options);
  receiverIds.set(receiver, receiverId);
  return receiverId;
}

// Every receiver gets its transform when its transceiver is created, before it is first negotiated:
// by addTransceiver() (livekit-client's single peer connection, where this page makes the offer and
// pre-allocates recvonly transceivers), or, for transceivers a remote offer creates, from a 'track'
// listener added in the constructor (so before livekit-client's handler). Chromium 156 silently
// bypasses a receiver transform first set after that negotiation: frames then go straight to the
// decoder, and setting it again later does not help (seen with the 'track' event of an answer).
const NativePeerConnection = window.RTCPeerConnection;
class RecordingPeerConnection extends NativePeerConnection {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    peerConnections.push(this);
    this.addEventListener('track', (event) => void recorderOf(event.receiver));
  }

  override addTransceiver(trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit): RTCRtpTransceiver {
    const transceiver = super.addTransceiver(trackOrKind, init);
    recorderOf(transceiver.receiver);
    if (replayFrames !== undefined && typeof trackOrKind !== 'string' && trackOrKind.kind === 'video') {
      replayWorker ??= new Worker(new URL('./replay-worker.ts', import.meta.url), { type: 'module', name: 'rawpeer-replay' });
      transceiver.sender.transform = new RTCRtpScriptTransform(replayWorker, { frames: replayFrames });
    }
    return transceiver;
  }
}
window.RTCPeerConnection = RecordingPeerConnection;

function onSubscribed(track: RemoteTrack, publication: RemoteTrackPublication, participant: RemoteParticipant): void {
  if (track.receiver !== undefined) {
    worker.postMessage({ type: 'label', receiverId: recorderOf(track.receiver), identity: participant.identity, trackSid: publication.trackSid } satisfies ToRecorder);
  }
  // Attached, so the page decodes and plays like any participant (and a test can sample the <video>).
  const element = track.attach();
  element.dataset['identity'] = participant.identity;
  element.dataset['trackSid'] = publication.trackSid;
  document.body.append(element);
}

function onUnsubscribed(track: RemoteTrack): void {
  const receiverId = track.receiver === undefined ? undefined : receiverIds.get(track.receiver);
  if (receiverId !== undefined) worker.postMessage({ type: 'unlabel', receiverId } satisfies ToRecorder);
  track.detach().forEach((element) => element.remove());
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function matches(frame: FrameRecord, filter: FrameFilter): boolean {
  return (
    (filter.identity === undefined || frame.identity === filter.identity) &&
    (filter.trackSid === undefined || frame.trackSid === filter.trackSid) &&
    (filter.kind === undefined || frame.kind === filter.kind)
  );
}

async function read(withFrames: boolean): Promise<Extract<FromRecorder, { type: 'read' }>> {
  const reply = await ask({ type: 'read', requestId: ++nextRequestId, withFrames });
  if (reply.type !== 'read') throw new Error(`recorder answered ${reply.type} to read`);
  return reply;
}

async function publish(current: Room): Promise<PublishedTrack[]> {
  const tracks = await createLocalTracks({ audio: true, video: { resolution: { width: 640, height: 360, frameRate: 30 } } });
  const published: PublishedTrack[] = [];
  for (const track of tracks) {
    const publication = await current.localParticipant.publishTrack(track);
    published.push({ kind: track.kind === Track.Kind.Audio ? 'audio' : 'video', trackSid: publication.trackSid });
  }
  return published;
}

async function connect(url: string, token: string, options: ConnectOptions): Promise<ConnectResult> {
  if (room !== undefined) throw new Error('already connected');
  recording = { maxFramesPerTrack: options.maxFramesPerTrack ?? DEFAULT_MAX_FRAMES_PER_TRACK, retain: options.retain ?? 'first' };
  const current = new Room({
    adaptiveStream: false,
    dynacast: false,
    publishDefaults: { videoCodec: 'vp8', simulcast: false, red: false, dtx: false },
  });
  room = current;
  if (options.replay !== undefined) replayFrames = options.replay.map((frame) => Uint8Array.from(atob(frame), (c) => c.charCodeAt(0)));
  current.on(RoomEvent.TrackSubscribed, onSubscribed).on(RoomEvent.TrackUnsubscribed, onUnsubscribed);
  await current.connect(url, token, { autoSubscribe: true, rtcConfig: { iceServers: [] } });
  const published = options.publish ? await publish(current) : [];
  return { identity: current.localParticipant.identity, published };
}

async function candidates(): Promise<CandidateAddresses> {
  const found: CandidateAddresses = { local: [], remote: [] };
  for (const pc of peerConnections) {
    if (pc.connectionState === 'closed') continue;
    for (const stat of (await pc.getStats()).values() as IterableIterator<{ type: string; address?: string }>) {
      if (stat.type === 'local-candidate' && stat.address !== undefined) found.local.push(stat.address);
      if (stat.type === 'remote-candidate' && stat.address !== undefined) found.remote.push(stat.address);
    }
  }
  return found;
}

window.rawPeer = {
  connect,
  async tracks() {
    return (await read(false)).tracks;
  },
  async frames(filter = {}) {
    const { frames } = await read(true);
    return frames.filter((frame) => matches(frame, filter)).map((frame): RecordedFrame => ({ ...frame, data: toBase64(frame.data) }));
  },
  async clearFrames() {
    await ask({ type: 'clear', requestId: ++nextRequestId });
  },
  decodeVideo: decodeVp8,
  candidates,
  async disconnect() {
    await room?.disconnect(true);
    room = undefined;
  },
};
