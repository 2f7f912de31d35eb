// RNNoise noise suppression as a livekit-client audio processor: microphone -> RNNoise AudioWorklet
// (xiph/rnnoise compiled to WebAssembly, from @sapphi-red/web-noise-suppressor) -> a new track
// that LiveKit puts on the same RTCRtpSender, so the SFrame transform encrypts the processed audio.
// The worklet and the wasm are bundled by Vite and served by Sealroom; nothing is fetched elsewhere.
//
// RNNoise works on 48 kHz audio, so the processor runs in its own 48 kHz AudioContext, one per page,
// and ignores the context LiveKit offers (that one follows the output device's rate and is closed
// when the room disconnects). The processed track stays the same object across restarts.
import { loadRnnoise, RnnoiseWorkletNode } from '@sapphi-red/web-noise-suppressor';
import rnnoiseWorkletUrl from '@sapphi-red/web-noise-suppressor/rnnoiseWorklet.js?url';
import rnnoiseWasmUrl from '@sapphi-red/web-noise-suppressor/rnnoise.wasm?url';
import rnnoiseSimdWasmUrl from '@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm?url';
import { type AudioProcessorOptions, type Track, type TrackProcessor } from 'livekit-client';

const SAMPLE_RATE = 48_000;

interface Engine {
  context: AudioContext;
  wasmBinary: ArrayBuffer;
}

let engine: Promise<Engine> | undefined;

/** The page's RNNoise context, worklet module and wasm, loaded once. Call from a click first (autoplay policy). */
function loadEngine(): Promise<Engine> {
  engine ??= (async () => {
    const context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
    const [wasmBinary] = await Promise.all([loadRnnoise({ url: rnnoiseWasmUrl, simdUrl: rnnoiseSimdWasmUrl }), context.audioWorklet.addModule(rnnoiseWorkletUrl)]);
    return { context, wasmBinary };
  })();
  engine.catch(() => (engine = undefined));
  return engine;
}

export class RnnoiseProcessor implements TrackProcessor<Track.Kind.Audio, AudioProcessorOptions> {
  readonly name = 'sealroom-rnnoise';
  processedTrack?: MediaStreamTrack;

  #source: MediaStreamAudioSourceNode | undefined;
  #node: RnnoiseWorkletNode | undefined;
  #destination: MediaStreamAudioDestinationNode | undefined;

  /** Loads RNNoise (throws if it cannot run here) and returns its context; the first call should come from a click. */
  static async prepare(): Promise<AudioContext> {
    const { context } = await loadEngine();
    if (context.state === 'suspended') await context.resume();
    return context;
  }

  async init({ track }: AudioProcessorOptions): Promise<void> {
    const { context, wasmBinary } = await loadEngine();
    if (context.state === 'suspended') await context.resume();
    this.#node ??= new RnnoiseWorkletNode(context, { maxChannels: 1, wasmBinary });
    if (!this.#destination) {
      this.#destination = context.createMediaStreamDestination();
      this.#node.connect(this.#destination);
      const processed = this.#destination.stream.getAudioTracks()[0];
      if (!processed) throw new Error('the audio graph gave no track');
      this.processedTrack = processed;
    }
    this.#source?.disconnect();
    this.#source = context.createMediaStreamSource(new MediaStream([track]));
    this.#source.connect(this.#node);
  }

  /** A new microphone track (device switch, restart) or a new LiveKit context: rewire the source only. */
  async restart(options: AudioProcessorOptions): Promise<void> {
    await this.init(options);
  }

  async destroy(): Promise<void> {
    this.#source?.disconnect();
    this.#node?.disconnect();
    this.#node?.destroy();
    this.processedTrack?.stop();
    this.#source = undefined;
    this.#node = undefined;
    this.#destination = undefined;
    delete this.processedTrack;
  }
}
