// Background blur and virtual background as a livekit-client video processor. Each camera frame is
// segmented (segmenter.ts), then composed on a canvas: the person, sharp, over either a blurred copy
// of the frame or Sealroom's own backdrop. The canvas's captured track is what LiveKit puts on the
// camera's RTCRtpSender, so the effect is applied before the SFrame transform encrypts the frame.
//
// Frames come from a MediaStreamTrackProcessor where there is one (Chromium: keeps running in a
// background tab), else from requestVideoFrameCallback on a detached <video>.
import { type Track, type TrackProcessor, type VideoProcessorOptions } from 'livekit-client';
import { loadSegmenter, type Segmenter } from './segmenter';

export type BackgroundEffect = 'blur' | 'virtual';

/** Blur radius as a share of the frame width. */
const BLUR_SHARE = 0.03;
/** The blurred background is drawn from a frame this many times smaller (cheaper, and softer). */
const BLUR_DOWNSCALE = 4;

type FrameSink = (frame: CanvasImageSource, width: number, height: number) => void;

interface TrackProcessorReader {
  readable: ReadableStream<VideoFrame>;
}
type TrackProcessorConstructor = new (init: { track: MediaStreamTrack }) => TrackProcessorReader;
const InsertableProcessor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorConstructor }).MediaStreamTrackProcessor;

export class BackgroundProcessor implements TrackProcessor<Track.Kind.Video, VideoProcessorOptions> {
  readonly name = 'sealroom-background';
  processedTrack?: MediaStreamTrack;
  effect: BackgroundEffect;

  readonly #canvas = document.createElement('canvas');
  readonly #output = context2d(this.#canvas);
  readonly #maskCanvas = document.createElement('canvas');
  readonly #maskContext = context2d(this.#maskCanvas);
  readonly #backCanvas = document.createElement('canvas');
  readonly #backContext = context2d(this.#backCanvas);
  #segmenter: Segmenter | undefined;
  #stopReading: (() => void) | undefined;
  #backdropSize = '';

  constructor(effect: BackgroundEffect) {
    this.effect = effect;
  }

  async init({ track }: VideoProcessorOptions): Promise<void> {
    this.#segmenter = await loadSegmenter();
    this.#maskCanvas.width = this.#segmenter.width;
    this.#maskCanvas.height = this.#segmenter.height;
    const { width = 1280, height = 720, frameRate = 30 } = track.getSettings();
    this.#resize(width, height);
    if (!this.processedTrack) {
      const captured = this.#canvas.captureStream(frameRate).getVideoTracks()[0];
      if (!captured) throw new Error('the canvas gave no video track');
      this.processedTrack = captured;
    }
    this.#start(track);
  }

  async restart(options: VideoProcessorOptions): Promise<void> {
    this.#stopReading?.();
    await this.init(options);
  }

  async destroy(): Promise<void> {
    this.#stopReading?.();
    this.#stopReading = undefined;
    this.processedTrack?.stop();
    delete this.processedTrack;
  }

  #start(track: MediaStreamTrack): void {
    const sink: FrameSink = (frame, width, height) => this.#draw(frame, width, height);
    this.#stopReading = InsertableProcessor ? readInsertable(new InsertableProcessor({ track }), sink) : readElement(track, sink);
  }

  #resize(width: number, height: number): void {
    if (this.#canvas.width === width && this.#canvas.height === height) return;
    this.#canvas.width = width;
    this.#canvas.height = height;
    this.#backCanvas.width = Math.max(1, Math.round(width / BLUR_DOWNSCALE));
    this.#backCanvas.height = Math.max(1, Math.round(height / BLUR_DOWNSCALE));
  }

  #draw(frame: CanvasImageSource, width: number, height: number): void {
    const segmenter = this.#segmenter;
    if (!segmenter || width === 0 || height === 0) return;
    this.#resize(width, height);
    this.#maskContext.putImageData(segmenter.segment(frame), 0, 0);
    this.#paintBackground(frame);
    const out = this.#output;
    out.globalCompositeOperation = 'copy';
    out.drawImage(this.#maskCanvas, 0, 0, width, height); // smoothed upscale: soft mask edges
    out.globalCompositeOperation = 'source-in';
    out.drawImage(frame, 0, 0, width, height);
    out.globalCompositeOperation = 'destination-over';
    out.drawImage(this.#backCanvas, 0, 0, width, height);
    out.globalCompositeOperation = 'source-over';
  }

  #paintBackground(frame: CanvasImageSource): void {
    const back = this.#backContext;
    const { width, height } = this.#backCanvas;
    if (this.effect === 'blur') {
      back.filter = `blur(${Math.max(1, (this.#canvas.width * BLUR_SHARE) / BLUR_DOWNSCALE)}px)`;
      back.drawImage(frame, 0, 0, width, height);
      back.filter = 'none';
      return;
    }
    const size = `${width}x${height}`;
    if (this.#backdropSize === size) return;
    this.#backdropSize = size;
    paintBackdrop(back, width, height);
  }
}

/** Sealroom's virtual background: a calm gradient with two soft light spots, drawn, not downloaded. */
function paintBackdrop(context: CanvasRenderingContext2D, width: number, height: number): void {
  const base = context.createLinearGradient(0, 0, width, height);
  base.addColorStop(0, '#22304f');
  base.addColorStop(1, '#3c5a6e');
  context.fillStyle = base;
  context.fillRect(0, 0, width, height);
  for (const [x, y, r, colour] of [
    [0.2, 0.25, 0.45, 'rgb(120 160 220 / 35%)'],
    [0.85, 0.8, 0.5, 'rgb(90 190 170 / 30%)'],
  ] as const) {
    const glow = context.createRadialGradient(x * width, y * height, 0, x * width, y * height, r * width);
    glow.addColorStop(0, colour);
    glow.addColorStop(1, 'rgb(0 0 0 / 0%)');
    context.fillStyle = glow;
    context.fillRect(0, 0, width, height);
  }
}

function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas for background effects');
  return context;
}

/** Pulls frames from a MediaStreamTrackProcessor until stopped. */
function readInsertable(processor: TrackProcessorReader, sink: FrameSink): () => void {
  const reader = processor.readable.getReader();
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const { value: frame, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !frame) return;
      try {
        if (!stopped) sink(frame, frame.displayWidth, frame.displayHeight);
      } finally {
        frame.close();
      }
    }
  })();
  return () => {
    stopped = true;
    void reader.cancel().catch(() => undefined);
  };
}

/** Draws each new frame of a detached <video> playing the track, until stopped. */
function readElement(track: MediaStreamTrack, sink: FrameSink): () => void {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  let stopped = false;
  const next = () => {
    if (stopped) return;
    sink(video, video.videoWidth, video.videoHeight);
    video.requestVideoFrameCallback(next);
  };
  video.requestVideoFrameCallback(next);
  void video.play().catch(() => undefined);
  return () => {
    stopped = true;
    video.srcObject = null;
  };
}
