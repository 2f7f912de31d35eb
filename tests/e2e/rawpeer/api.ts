// Shapes shared by the raw LiveKit peer's page, its recording Worker and the Node harness
// (tests/e2e/harness/rawpeer.ts): the window.rawPeer API, what is recorded per frame, what a
// WebCodecs decode attempt reports, and the page <-> Worker messages. Types and two constants only.

export type MediaKind = 'audio' | 'video';
/** 'first': keep the first N frames of a track. 'latest': keep its first frame and the latest N - 1. */
export type Retain = 'first' | 'latest';
/** RTCEncodedVideoFrame.type for video; 'audio' for audio frames, which have no type. */
export type FrameType = 'key' | 'delta' | 'empty' | 'audio';
/** getMetadata() with every JSON-safe field copied as the browser gave it. */
export type FrameMetadata = Readonly<Record<string, number | string | boolean | readonly (number | string)[]>>;

/** Default of ConnectOptions.maxFramesPerTrack. */
export const DEFAULT_MAX_FRAMES_PER_TRACK = 300;
/** Every image sample (decoded frame or <video>) is the picture scaled down to this many pixels. */
export const SAMPLE_SIZE = { width: 32, height: 18 } as const;

export interface ConnectOptions {
  /** Publish the fake camera (VP8, one layer) and fake microphone, with no transform. */
  publish: boolean;
  /**
   * With `publish`: frames (base64, as another peer recorded them) sent in place of the camera's,
   * in order and then again from the start: an SFU that re-publishes one participant's media on
   * another participant's track.
   */
  replay?: string[];
  maxFramesPerTrack?: number;
  retain?: Retain;
}

export interface PublishedTrack {
  kind: MediaKind;
  trackSid: string;
}

export interface ConnectResult {
  identity: string;
  published: PublishedTrack[];
}

/** Options of each receiver's RTCRtpScriptTransform, read by the Worker. */
export interface RecorderOptions {
  receiverId: number;
  kind: MediaKind;
  maxFramesPerTrack: number;
  retain: Retain;
}

interface FrameFields {
  /** Order of arrival in the Worker, over all tracks. */
  seq: number;
  receiverId: number;
  /** LiveKit identity and track sid of the sender; null if the frame came before LiveKit named the track. */
  identity: string | null;
  trackSid: string | null;
  kind: MediaKind;
  type: FrameType;
  /** RTP timestamp (metadata.rtpTimestamp, else the frame's timestamp). */
  rtpTimestamp: number | null;
  /** Date.now() in the Worker when the frame arrived. */
  arrivalMs: number;
  byteLength: number;
  metadata: FrameMetadata;
}

/** A frame as the Worker keeps it. */
export interface FrameRecord extends FrameFields {
  data: Uint8Array;
}

/** A frame as window.rawPeer.frames() returns it: the exact bytes the SFU delivered, in base64. */
export interface RecordedFrame extends FrameFields {
  data: string;
}

export interface FrameFilter {
  identity?: string;
  trackSid?: string;
  kind?: MediaKind;
}

/** One receiver's recording. `seen` counts every frame since the start or the last clearFrames(). */
export interface RecorderTrack {
  receiverId: number;
  identity: string | null;
  trackSid: string | null;
  kind: MediaKind;
  seen: number;
  kept: number;
}

/** A picture scaled down to SAMPLE_SIZE: `rgb` holds width * height (r, g, b) triples, row by row. */
export interface RgbSample {
  width: number;
  height: number;
  /** Size of the picture the sample was taken from. */
  sourceWidth: number;
  sourceHeight: number;
  rgb: number[];
}

/**
 * What became of one recorded video frame fed to WebCodecs: a picture, a decode error (the decoder
 * then closes and feeding restarts at the next key frame), or nothing within the wait (not shown).
 */
export type DecodeAttempt =
  | { seq: number; type: FrameType; outcome: 'image'; sample: RgbSample }
  | { seq: number; type: FrameType; outcome: 'error'; message: string }
  | { seq: number; type: FrameType; outcome: 'no-image' };

export interface CandidateAddresses {
  local: string[];
  remote: string[];
}

/** window.rawPeer, driven from Node with page.evaluate strings. */
export interface RawPeerApi {
  connect(url: string, token: string, options: ConnectOptions): Promise<ConnectResult>;
  tracks(): Promise<RecorderTrack[]>;
  frames(filter?: FrameFilter): Promise<RecordedFrame[]>;
  clearFrames(): Promise<void>;
  /** Feeds VP8 frames (as recorded) to a VideoDecoder from the first key frame; one attempt per frame fed. */
  decodeVideo(frames: readonly RecordedFrame[]): Promise<DecodeAttempt[]>;
  /** Addresses of every ICE candidate of every peer connection of the page. */
  candidates(): Promise<CandidateAddresses>;
  disconnect(): Promise<void>;
}

export type ToRecorder =
  | { type: 'label'; receiverId: number; identity: string; trackSid: string }
  /** The receiver's track was unsubscribed: LiveKit may give the receiver another track next. */
  | { type: 'unlabel'; receiverId: number }
  | { type: 'read'; requestId: number; withFrames: boolean }
  | { type: 'clear'; requestId: number };

export type FromRecorder =
  | { type: 'read'; requestId: number; tracks: RecorderTrack[]; frames: FrameRecord[] }
  | { type: 'cleared'; requestId: number };
