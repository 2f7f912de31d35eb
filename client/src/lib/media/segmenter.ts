// Person segmentation for background effects: MediaPipe's Selfie Segmentation (landscape) model run
// by a TensorFlow Lite WebAssembly build (XNNPACK, SIMD), both taken from @twilio/video-processors'
// dist/build. Vite bundles the three files and Sealroom serves them itself (same origin, no CDN).
//
// The loader is an Emscripten script that defines a global factory; it is added as a <script> from
// this origin (the CSP allows 'self' and 'wasm-unsafe-eval', nothing more). Model: 256x144 RGB in
// [0, 1] in, 256x144 person probabilities out.
import loaderUrl from '@twilio/video-processors/dist/build/tflite-simd-1-0-0.js?url';
import wasmUrl from '@twilio/video-processors/dist/build/tflite-simd-1-0-0.wasm?url';
import modelUrl from '@twilio/video-processors/dist/build/selfie_segmentation_landscape.tflite?url';

interface TfliteModule {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  _getModelBufferMemoryOffset(): number;
  _loadModel(bytes: number): number;
  _getInputMemoryOffset(): number;
  _getInputWidth(): number;
  _getInputHeight(): number;
  _getOutputMemoryOffset(): number;
  _runInference(): number;
}

type TfliteFactory = (options: { locateFile: (path: string) => string; print?: (text: string) => void }) => Promise<TfliteModule>;

const FACTORY = 'createTwilioTFLiteSIMDModule';

export class Segmenter {
  readonly width: number;
  readonly height: number;
  readonly #tflite: TfliteModule;
  readonly #input: CanvasRenderingContext2D;
  readonly #mask: ImageData;

  constructor(tflite: TfliteModule) {
    this.#tflite = tflite;
    this.width = tflite._getInputWidth();
    this.height = tflite._getInputHeight();
    const canvas = document.createElement('canvas');
    canvas.width = this.width;
    canvas.height = this.height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D canvas for segmentation');
    this.#input = context;
    this.#mask = new ImageData(this.width, this.height);
  }

  /** The person mask of `frame` at the model's size: alpha is the probability of a person there. */
  segment(frame: CanvasImageSource): ImageData {
    const { width, height } = this;
    this.#input.drawImage(frame, 0, 0, width, height);
    const rgba = this.#input.getImageData(0, 0, width, height).data;
    const heap = this.#tflite.HEAPF32;
    const input = this.#tflite._getInputMemoryOffset() / 4;
    for (let i = 0, p = 0; i < width * height; i++, p += 4) {
      heap[input + i * 3] = (rgba[p] ?? 0) / 255;
      heap[input + i * 3 + 1] = (rgba[p + 1] ?? 0) / 255;
      heap[input + i * 3 + 2] = (rgba[p + 2] ?? 0) / 255;
    }
    this.#tflite._runInference();
    const output = this.#tflite._getOutputMemoryOffset() / 4;
    const mask = this.#mask.data;
    for (let i = 0; i < width * height; i++) mask[i * 4 + 3] = Math.round((heap[output + i] ?? 0) * 255);
    return this.#mask;
  }
}

let loading: Promise<Segmenter> | undefined;

/** The page's segmenter, loaded once (the wasm needs WebAssembly SIMD). */
export function loadSegmenter(): Promise<Segmenter> {
  loading ??= (async () => {
    if (!WebAssembly.validate(SIMD_PROBE)) throw new Error('this browser lacks WebAssembly SIMD');
    await addScript(loaderUrl);
    const factory = (globalThis as unknown as Record<string, TfliteFactory | undefined>)[FACTORY];
    if (!factory) throw new Error('the segmentation runtime did not load');
    const [tflite, model] = await Promise.all([
      factory({ locateFile: () => wasmUrl, print: () => undefined }),
      fetch(modelUrl).then(async (response) => {
        if (!response.ok) throw new Error(`segmentation model: HTTP ${response.status}`);
        return new Uint8Array(await response.arrayBuffer());
      }),
    ]);
    tflite.HEAPU8.set(model, tflite._getModelBufferMemoryOffset());
    if (tflite._loadModel(model.byteLength) !== 0) throw new Error('the segmentation model did not load');
    return new Segmenter(tflite);
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}

function addScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('the segmentation runtime could not be loaded'));
    script.src = src;
    document.head.append(script);
  });
}

/** The smallest module using a SIMD instruction (v128 const, i8x16 popcnt), from wasm-feature-detect. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
