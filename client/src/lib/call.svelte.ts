// One LiveKit session: connect with a grant from the signaling server, publish this person's
// camera and microphone (the LocalMedia tracks), and expose every participant's tracks as plain
// tile views for the grid. LiveKit identities are the server's opaque participant ids; names are
// looked up elsewhere. When LiveKit drops for good, a fresh token is fetched before reconnecting.
import {
  DisconnectReason,
  RemoteAudioTrack,
  Room,
  RoomEvent,
  Track,
  type LocalAudioTrack,
  type LocalTrack,
  type LocalVideoTrack,
  type RemoteParticipant,
  type VideoTrack,
} from 'livekit-client';
import { type LiveKitGrant } from '../../../protocol/protocol';
import { type LocalMedia } from './media/local-media.svelte';

export interface TileView {
  /** The participant's opaque id (LiveKit identity). */
  readonly id: string;
  readonly local: boolean;
  /** Present while the camera is on and the track is available. */
  readonly video: VideoTrack | undefined;
  /** Remote microphone; never set for one's own tile. */
  readonly audio: RemoteAudioTrack | undefined;
  readonly micOn: boolean;
  readonly speaking: boolean;
}

export type CallStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'ended' | 'failed';

/** Reasons after which reconnecting would be wrong: we left, were removed, or the room is gone. */
const FINAL: ReadonlySet<DisconnectReason | undefined> = new Set([
  DisconnectReason.CLIENT_INITIATED,
  DisconnectReason.PARTICIPANT_REMOVED,
  DisconnectReason.ROOM_DELETED,
  DisconnectReason.DUPLICATE_IDENTITY,
]);
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000];

export class CallSession {
  status = $state<CallStatus>('idle');
  /** Remote participants, in join order. */
  remotes = $state.raw<readonly TileView[]>([]);
  #localId = $state('');
  #localSpeaking = $state(false);

  readonly #media: LocalMedia;
  readonly #requestGrant: () => Promise<LiveKitGrant>;
  readonly #room: Room;
  #leaving = false;
  #retrying = false;

  /** Every tile, one's own first. */
  readonly tiles = $derived.by<readonly TileView[]>(() => [
    {
      id: this.#localId,
      local: true,
      video: this.#localVideo(),
      audio: undefined,
      micOn: this.#media.micOn && this.#media.audio !== undefined,
      speaking: this.#localSpeaking,
    },
    ...this.remotes,
  ]);

  constructor(media: LocalMedia, requestGrant: () => Promise<LiveKitGrant>) {
    this.#media = media;
    this.#requestGrant = requestGrant;
    this.#room = new Room({
      adaptiveStream: false,
      dynacast: true,
      // The tracks belong to LocalMedia; they must survive a reconnect's unpublish.
      stopLocalTrackOnUnpublish: false,
      publishDefaults: { videoCodec: 'vp8', simulcast: true, red: false, dtx: true },
    });
    const refresh = () => this.#refresh();
    this.#room
      .on(RoomEvent.ParticipantConnected, refresh)
      .on(RoomEvent.ParticipantDisconnected, refresh)
      .on(RoomEvent.TrackSubscribed, refresh)
      .on(RoomEvent.TrackUnsubscribed, refresh)
      .on(RoomEvent.TrackPublished, refresh)
      .on(RoomEvent.TrackUnpublished, refresh)
      .on(RoomEvent.TrackMuted, refresh)
      .on(RoomEvent.TrackUnmuted, refresh)
      .on(RoomEvent.ActiveSpeakersChanged, refresh)
      .on(RoomEvent.Reconnecting, () => (this.status = 'reconnecting'))
      .on(RoomEvent.Reconnected, () => (this.status = 'connected'))
      .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => void this.#dropped(reason));
  }

  /** Connect with `grant` and publish whatever of camera and microphone is on. */
  async join(grant: LiveKitGrant): Promise<void> {
    this.status = 'connecting';
    try {
      await this.#connect(grant);
    } catch (error) {
      console.warn('call: could not connect to the media server', error instanceof Error ? error.message : '');
      await this.#retry();
    }
  }

  /** Let audio play: call from a click handler (autoplay policies). */
  async startAudio(): Promise<void> {
    await this.#room.startAudio();
  }

  async setCamera(on: boolean): Promise<void> {
    await this.#media.setCamera(on);
    if (on) await this.#publish(this.#media.video);
    this.#refresh();
  }

  async setMic(on: boolean): Promise<void> {
    await this.#media.setMic(on);
    if (on) await this.#publish(this.#media.audio);
    this.#refresh();
  }

  async leave(): Promise<void> {
    this.#leaving = true;
    this.status = 'ended';
    await this.#room.disconnect(true);
  }

  #localVideo(): VideoTrack | undefined {
    void this.#media.revision;
    return this.#media.cameraOn ? this.#media.video : undefined;
  }

  async #connect(grant: LiveKitGrant): Promise<void> {
    await this.#room.connect(grant.url, grant.token, {
      autoSubscribe: true,
      rtcConfig: grant.iceServers === 'none' ? { iceServers: [] } : {},
    });
    this.#localId = this.#room.localParticipant.identity;
    this.status = 'connected';
    if (this.#media.cameraOn) await this.#publish(this.#media.video);
    if (this.#media.micOn) await this.#publish(this.#media.audio);
    this.#refresh();
  }

  async #publish(track: LocalVideoTrack | LocalAudioTrack | undefined): Promise<void> {
    if (!track || this.status !== 'connected') return;
    const local = this.#room.localParticipant;
    if (local.getTrackPublication(track.source)?.track === track) return;
    try {
      // livekit-client's LocalAudioTrack declares `processor?: T | undefined`, which LocalTrack's
      // `processor?: T` rejects under exactOptionalPropertyTypes; the runtime types are the same.
      await local.publishTrack(track as LocalTrack);
    } catch (error) {
      console.warn(`call: could not publish ${track.source}`, error instanceof Error ? error.message : '');
    }
  }

  async #dropped(reason: DisconnectReason | undefined): Promise<void> {
    this.#refresh();
    if (this.#leaving || FINAL.has(reason)) {
      this.status = 'ended';
      return;
    }
    await this.#retry();
  }

  /** Reconnect with a fresh token, backing off; give up after a few tries. */
  async #retry(): Promise<void> {
    if (this.#retrying) return;
    this.#retrying = true;
    this.status = 'reconnecting';
    try {
      for (const delay of RETRY_DELAYS_MS) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.#leaving) return;
        try {
          await this.#connect(await this.#requestGrant());
          return;
        } catch (error) {
          console.warn('call: reconnect failed', error instanceof Error ? error.message : '');
        }
      }
      this.status = 'failed';
    } finally {
      this.#retrying = false;
    }
  }

  #refresh(): void {
    this.#localSpeaking = this.#room.localParticipant.isSpeaking;
    this.remotes = [...this.#room.remoteParticipants.values()].map(remoteView);
  }
}

function remoteView(p: RemoteParticipant): TileView {
  const camera = p.getTrackPublication(Track.Source.Camera);
  const mic = p.getTrackPublication(Track.Source.Microphone);
  const audio = mic?.isSubscribed ? mic.track : undefined;
  return {
    id: p.identity,
    local: false,
    video: camera && !camera.isMuted && camera.isSubscribed ? camera.videoTrack : undefined,
    audio: audio instanceof RemoteAudioTrack ? audio : undefined,
    micOn: mic !== undefined && !mic.isMuted,
    speaking: p.isSpeaking,
  };
}
