// The WebCodecs check of the raw peer: feeds recorded VP8 frames, exactly as the SFU delivered them,
// to a VideoDecoder and reports per frame a small RGB sample of the picture, a decode error, or no
// picture. Ciphertext must never yield the sender's picture; genuine clear VP8 (the positive control)
// must. A decode error closes the decoder; feeding resumes with a fresh one at the next key frame.
import { type DecodeAttempt, type RecordedFrame, type RgbSample, SAMPLE_SIZE } from './api';

/** How long one frame may take to come out of the decoder before it counts as not shown. */
const OUTPUT_WAIT_MS = 1_000;

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

/** The picture scaled down to SAMPLE_SIZE by the canvas. */
function sampleImage(source: CanvasImageSource, sourceWidth: number, sourceHeight: number): RgbSample {
  const { width, height } = SAMPLE_SIZE;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new Error('no 2d canvas context');
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, width, height);
  const rgba = context.getImageData(0, 0, width, height).data;
  const rgb: number[] = [];
  for (let i = 0; i < rgba.length; i += 4) rgb.push(rgba[i] ?? 0, rgba[i + 1] ?? 0, rgba[i + 2] ?? 0);
  return { width, height, sourceWidth, sourceHeight, rgb };
}

/** One VideoDecoder from a key frame until its first error. */
class DecodeRun {
  readonly #decoder: VideoDecoder;
  readonly #pictures = new Map<number, RgbSample>();
  #failure: string | undefined;
  #wake: () => void = () => undefined;

  constructor() {
    this.#decoder = new VideoDecoder({
      output: (picture) => {
        this.#pictures.set(picture.timestamp, sampleImage(picture, picture.displayWidth, picture.displayHeight));
        picture.close();
        this.#wake();
      },
      error: (error) => {
        this.#failure = `${error.name}: ${error.message}`;
        this.#wake();
      },
    });
    this.#decoder.configure({ codec: 'vp8', optimizeForLatency: true, hardwareAcceleration: 'prefer-software' });
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  async decode(frame: RecordedFrame, key: boolean): Promise<DecodeAttempt> {
    const { seq, type } = frame;
    try {
      this.#decoder.decode(new EncodedVideoChunk({ type: key ? 'key' : 'delta', timestamp: seq, data: fromBase64(frame.data) }));
    } catch (error) {
      this.#failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    const deadline = performance.now() + OUTPUT_WAIT_MS;
    while (!this.#pictures.has(seq) && this.#failure === undefined && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, deadline - performance.now());
      });
    }
    const sample = this.#pictures.get(seq);
    this.#pictures.delete(seq);
    if (sample !== undefined) return { seq, type, outcome: 'image', sample };
    if (this.#failure !== undefined) return { seq, type, outcome: 'error', message: this.#failure };
    return { seq, type, outcome: 'no-image' };
  }

  close(): void {
    if (this.#decoder.state !== 'closed') this.#decoder.close();
  }
}

export async function decodeVp8(frames: readonly RecordedFrame[]): Promise<DecodeAttempt[]> {
  const attempts: DecodeAttempt[] = [];
  let run: DecodeRun | undefined;
  for (const frame of frames) {
    if (frame.kind !== 'video') throw new Error(`frame ${frame.seq} is ${frame.kind}, not video`);
    if (frame.type === 'empty') continue;
    const key = frame.type === 'key';
    if (run === undefined) {
      if (!key) continue;
      run = new DecodeRun();
    }
    attempts.push(await run.decode(frame, key));
    if (run.failed) {
      run.close();
      run = undefined;
    }
  }
  run?.close();
  return attempts;
}
