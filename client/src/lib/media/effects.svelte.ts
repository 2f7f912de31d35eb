// What this person's own media goes through before it is encrypted: noise suppression on the
// microphone (off, the browser's built-in filter, or RNNoise) and a background effect on the camera
// (off, blur, or Sealroom's virtual background). Modes survive device switches and reconnects:
// `applyTo` puts them on a fresh or re-published track. Processing happens on the track, so what the
// SFrame transform encrypts is already processed.
import { type LocalAudioTrack, type LocalVideoTrack } from 'livekit-client';
import { BackgroundProcessor } from './background-processor';
import { RnnoiseProcessor } from './rnnoise-processor';
import { type MessageId } from '../i18n/catalogues/en';
import { message, type Message } from '../i18n/message';

export type NoiseMode = 'off' | 'browser' | 'enhanced';
export type BackgroundMode = 'off' | 'blur' | 'virtual';

/** The catalogue ids of each mode's name, in the order the pickers list them. */
export const NOISE_LABELS: Readonly<Record<NoiseMode, MessageId>> = {
  off: 'effects.noise.off',
  browser: 'effects.noise.browser',
  enhanced: 'effects.noise.enhanced',
};

export const BACKGROUND_LABELS: Readonly<Record<BackgroundMode, MessageId>> = {
  off: 'effects.background.off',
  blur: 'effects.background.blur',
  virtual: 'effects.background.virtual',
};

export class MediaEffects {
  noise = $state<NoiseMode>('browser');
  background = $state<BackgroundMode>('off');
  /** A sentence when an effect could not be turned on. */
  problem = $state<Message | undefined>(undefined);

  /** Whether the browser's own noise suppression should be asked for in capture constraints. */
  get browserNoiseSuppression(): boolean {
    return this.noise === 'browser';
  }

  async setNoise(mode: NoiseMode, track: LocalAudioTrack | undefined): Promise<void> {
    const before = this.noise;
    this.noise = mode;
    this.problem = undefined;
    try {
      // From the click that chose it: an AudioContext may only start on a user gesture.
      if (mode === 'enhanced') await RnnoiseProcessor.prepare();
      if (track) await this.applyNoise(track);
    } catch (error) {
      this.noise = before;
      this.problem = message('effects.noiseUnavailable');
      if (track) await this.applyNoise(track).catch(() => undefined);
    }
  }

  async setBackground(mode: BackgroundMode, track: LocalVideoTrack | undefined): Promise<void> {
    const before = this.background;
    this.background = mode;
    this.problem = undefined;
    if (!track) return;
    try {
      await this.applyBackground(track);
    } catch (error) {
      this.background = before;
      this.problem = message('effects.backgroundUnavailable');
      await this.applyBackground(track).catch(() => undefined);
    }
  }

  /** Put the current modes on a track that was just created or published again. */
  async applyTo(video: LocalVideoTrack | undefined, audio: LocalAudioTrack | undefined): Promise<void> {
    const results = await Promise.allSettled([video && this.applyBackground(video), audio && this.applyNoise(audio)]);
    for (const result of results) if (result.status === 'rejected') this.problem = message('effects.stopped');
  }

  async applyNoise(track: LocalAudioTrack): Promise<void> {
    const current = track.getProcessor();
    if (this.noise !== 'enhanced' && current) await track.stopProcessor();
    if (this.noise === 'enhanced' && current instanceof RnnoiseProcessor) return;
    // With no processor on, mediaStreamTrack is the microphone itself.
    await setBrowserNoiseSuppression(track, this.browserNoiseSuppression);
    if (this.noise !== 'enhanced') return;
    // livekit-client wants an AudioContext on the track before a processor (in the lobby it has none).
    if (!(track as unknown as { audioContext?: AudioContext }).audioContext) await track.setAudioContext(await RnnoiseProcessor.prepare());
    await track.setProcessor(new RnnoiseProcessor());
  }

  async applyBackground(track: LocalVideoTrack): Promise<void> {
    const current = track.getProcessor();
    const mode = this.background;
    if (mode === 'off') {
      if (current) await track.stopProcessor();
      return;
    }
    if (current instanceof BackgroundProcessor) {
      current.effect = mode;
      return;
    }
    await track.setProcessor(new BackgroundProcessor(mode));
  }
}

/** applyConstraints where the browser can change it live, else a restart of the capture. */
async function setBrowserNoiseSuppression(track: LocalAudioTrack, on: boolean): Promise<void> {
  const media = track.mediaStreamTrack;
  if (media.getSettings().noiseSuppression === on || media.readyState !== 'live') return;
  try {
    await media.applyConstraints({ ...media.getConstraints(), noiseSuppression: on });
  } catch {
    // Some browsers fix audio processing when capture starts; the restart below handles them.
  }
  if (media.getSettings().noiseSuppression === on) return;
  const deviceId = media.getSettings().deviceId;
  await track.restartTrack({ ...(deviceId ? { deviceId: { exact: deviceId } } : {}), noiseSuppression: on, echoCancellation: true, autoGainControl: true });
}

