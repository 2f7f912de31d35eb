// This person's camera and microphone: acquired for the lobby preview and handed, as the same
// livekit-client tracks, to the call for publishing. Holds on/off state, the device lists (camera,
// microphone, speaker) and the chosen devices, follows hot-plugging (devicechange), keeps the audio
// and video effects (effects.svelte.ts) on the tracks, and says in plain language when a device is
// blocked or missing. The chosen speaker is applied by the call (call.svelte.ts).
import {
  createLocalAudioTrack,
  createLocalVideoTrack,
  Room,
  VideoPresets,
  type LocalAudioTrack,
  type LocalVideoTrack,
} from 'livekit-client';
import { deviceAfterChange } from './devices';
import { MediaEffects, type BackgroundMode, type NoiseMode } from './effects.svelte';
import { message, type Message } from '../i18n/message';

export type DeviceKind = 'videoinput' | 'audioinput' | 'audiooutput';

export class LocalMedia {
  video = $state.raw<LocalVideoTrack | undefined>(undefined);
  audio = $state.raw<LocalAudioTrack | undefined>(undefined);
  cameraOn = $state(true);
  micOn = $state(true);
  cameras = $state.raw<MediaDeviceInfo[]>([]);
  microphones = $state.raw<MediaDeviceInfo[]>([]);
  speakers = $state.raw<MediaDeviceInfo[]>([]);
  cameraId = $state('');
  micId = $state('');
  /** '' plays through the system default. */
  speakerId = $state('');
  /** A sentence for the person when a device could not be used. */
  problem = $state<Message | undefined>(undefined);
  /** Bumped when a track's media changes (mute, device switch) so views re-attach. */
  revision = $state(0);
  readonly effects = new MediaEffects();

  #started = false;
  #stopped = false;
  #onDeviceChange = () => void this.#devicesChanged();

  /** Ask for camera and microphone. Each is tried on its own so one failing leaves the other. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    navigator.mediaDevices?.addEventListener('devicechange', this.#onDeviceChange);
    const [video, audio] = await Promise.allSettled([this.#createVideo(), this.#createAudio()]);
    if (video.status === 'rejected') this.cameraOn = false;
    if (audio.status === 'rejected') this.micOn = false;
    const devices = video.status === 'rejected' ? (audio.status === 'rejected' ? 'both' : 'camera') : 'microphone';
    const failure = video.status === 'rejected' ? video.reason : audio.status === 'rejected' ? audio.reason : undefined;
    this.problem = video.status === 'rejected' || audio.status === 'rejected' ? message('media.cannotUse', { devices, reason: describe(failure) }) : undefined;
    await this.refreshDevices();
  }

  async setCamera(on: boolean): Promise<void> {
    if (on && this.video === undefined) {
      try {
        await this.#createVideo();
      } catch (error) {
        this.problem = message('media.cannotUse', { devices: 'camera', reason: describe(error) });
        return;
      }
    } else if (this.video) {
      await (on ? this.video.unmute() : this.video.mute());
    }
    this.cameraOn = on;
    this.revision++;
  }

  async setMic(on: boolean): Promise<void> {
    if (on && this.audio === undefined) {
      try {
        await this.#createAudio();
      } catch (error) {
        this.problem = message('media.cannotUse', { devices: 'microphone', reason: describe(error) });
        return;
      }
    } else if (this.audio) {
      await (on ? this.audio.unmute() : this.audio.mute());
    }
    this.micOn = on;
    this.revision++;
  }

  async selectDevice(kind: DeviceKind, deviceId: string): Promise<void> {
    if (kind === 'audiooutput') {
      this.speakerId = deviceId;
      return;
    }
    const track = kind === 'videoinput' ? this.video : this.audio;
    if (kind === 'videoinput') this.cameraId = deviceId;
    else this.micId = deviceId;
    if (!track || !deviceId) return;
    try {
      // While muted, livekit-client keeps the choice and opens the device on unmute.
      await track.setDeviceId({ exact: deviceId });
    } catch (error) {
      this.problem = message('media.cannotSwitch', { device: kind === 'videoinput' ? 'camera' : 'microphone', reason: describe(error) });
    }
    this.revision++;
  }

  async setNoise(mode: NoiseMode): Promise<void> {
    await this.effects.setNoise(mode, this.audio);
  }

  async setBackground(mode: BackgroundMode): Promise<void> {
    await this.effects.setBackground(mode, this.video);
    this.revision++;
  }

  async refreshDevices(): Promise<void> {
    try {
      this.cameras = await Room.getLocalDevices('videoinput', false);
      this.microphones = await Room.getLocalDevices('audioinput', false);
      this.speakers = await Room.getLocalDevices('audiooutput', false);
    } catch {
      // No device access yet; the lists stay as they were.
    }
  }

  /** Release the devices. */
  stop(): void {
    this.#stopped = true;
    navigator.mediaDevices?.removeEventListener('devicechange', this.#onDeviceChange);
    this.video?.stop();
    this.audio?.stop();
    this.video = undefined;
    this.audio = undefined;
  }

  /** A device was plugged in or out: refresh the lists and move off a device that is gone. */
  async #devicesChanged(): Promise<void> {
    await this.refreshDevices();
    if (this.#stopped) return;
    const camera = deviceAfterChange(this.cameras, this.cameraId);
    const mic = deviceAfterChange(this.microphones, this.micId);
    if (this.video && camera && camera !== this.cameraId) await this.selectDevice('videoinput', camera);
    if (this.audio && mic && mic !== this.micId) await this.selectDevice('audioinput', mic);
    if (this.speakerId && !this.speakers.some((d) => d.deviceId === this.speakerId)) this.speakerId = '';
  }

  async #createVideo(): Promise<void> {
    const track = await createLocalVideoTrack({
      resolution: VideoPresets.h720.resolution,
      ...(this.cameraId ? { deviceId: { exact: this.cameraId } } : {}),
    });
    if (this.#stopped) return track.stop();
    this.video = track;
    this.cameraId = track.mediaStreamTrack.getSettings().deviceId ?? this.cameraId;
    await this.effects.applyTo(track, undefined);
  }

  async #createAudio(): Promise<void> {
    const track = await createLocalAudioTrack({
      echoCancellation: true,
      noiseSuppression: this.effects.browserNoiseSuppression,
      autoGainControl: true,
      ...(this.micId ? { deviceId: { exact: this.micId } } : {}),
    });
    if (this.#stopped) return track.stop();
    this.audio = track;
    this.micId = track.mediaStreamTrack.getSettings().deviceId ?? this.micId;
    await this.effects.applyTo(undefined, track);
  }
}

function describe(error: unknown): Message {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError') return message('media.reason.denied');
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return message('media.reason.notFound');
  if (name === 'NotReadableError') return message('media.reason.inUse');
  return message('media.reason.unavailable');
}
