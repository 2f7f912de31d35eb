// One LiveKit session: connect with a grant from the signaling server, publish this person's
// camera and microphone (the LocalMedia tracks) and, on request, their screen (with its audio where
// the browser offers it), and expose every participant's tracks as plain views for the call view.
// LiveKit identities are the server's opaque participant ids; names are looked up elsewhere.
// Every track goes out through an RTCRtpSender, so the SFrame transform the page attaches to every
// sender at creation (media/transform-hook.ts) encrypts it; nothing here bypasses that.
//
// LiveKit resumes (ICE restart) and fully reconnects by itself; when it gives up, a fresh token is
// fetched and the tracks, screen share included, are published again. Remote cameras off the
// visible page are paused at the SFU (setEnabled), so a 50-person call forwards only what is shown.
import {
  DisconnectReason,
  Room,
  RoomEvent,
  Track,
  TrackEvent,
  type LocalAudioTrack,
  type LocalTrack,
  type LocalVideoTrack,
  type Participant,
  type RemoteParticipant,
  type RemoteTrack,
  type VideoTrack,
} from 'livekit-client';
import { type LiveKitGrant } from '../../../protocol/protocol';
import { remoteScreen, remoteView, type ScreenView, type TileView } from './call-views';
import { rtcConfigFor } from './ice';
import { CallLayout } from './layout.svelte';
import { sinkToApply } from './media/devices';
import { type LocalMedia } from './media/local-media.svelte';
import { message, type Message } from './i18n/message';

/** Told which participant the SFU says each remote track's receiver carries (null: none any more). */
export type ReceiverBinding = (receiver: RTCRtpReceiver, participant: string | null) => void;

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
  /** Remote screen shares, oldest first. */
  remoteScreens = $state.raw<readonly ScreenView[]>([]);
  /** This page's screen share, while it lasts. */
  sharing = $state.raw<LocalVideoTrack | undefined>(undefined);
  /** A sentence when the screen could not be shared. */
  screenProblem = $state<Message | undefined>(undefined);
  /** The remote participant who spoke last (speaker view's focus). */
  lastSpeaker = $state<string | undefined>(undefined);
  readonly layout = new CallLayout();
  #localId = $state('');
  #localSpeaking = $state(false);

  readonly #media: LocalMedia;
  readonly #requestGrant: () => Promise<LiveKitGrant>;
  readonly #bindReceiver: ReceiverBinding;
  readonly #room: Room;
  readonly #stopEffects: () => void;
  #screenTracks: LocalTrack[] = [];
  #screenOrder: string[] = [];
  #hidden: ReadonlySet<string> = new Set();
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

  /** Every screen being shared, this page's first. */
  readonly screens = $derived.by<readonly ScreenView[]>(() => [
    ...(this.sharing ? [{ id: this.#localId, local: true, video: this.sharing, audio: undefined }] : []),
    ...this.remoteScreens,
  ]);

  constructor(media: LocalMedia, requestGrant: () => Promise<LiveKitGrant>, bindReceiver: ReceiverBinding) {
    this.#media = media;
    this.#requestGrant = requestGrant;
    this.#bindReceiver = bindReceiver;
    this.#room = new Room({
      adaptiveStream: false,
      dynacast: true,
      // The tracks belong to LocalMedia (and the screen share to this session); they must survive
      // a reconnect's unpublish.
      stopLocalTrackOnUnpublish: false,
      publishDefaults: { videoCodec: 'vp8', simulcast: true, red: false, dtx: true },
    });
    const refresh = () => this.#refresh();
    this.#room
      .on(RoomEvent.ParticipantConnected, refresh)
      .on(RoomEvent.ParticipantDisconnected, refresh)
      .on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _publication: unknown, participant: RemoteParticipant) => {
        if (track.receiver) this.#bindReceiver(track.receiver, participant.identity);
        refresh();
      })
      .on(RoomEvent.TrackUnsubscribed, (track: RemoteTrack) => {
        if (track.receiver) this.#bindReceiver(track.receiver, null);
        refresh();
      })
      .on(RoomEvent.TrackPublished, refresh)
      .on(RoomEvent.TrackUnpublished, refresh)
      .on(RoomEvent.TrackMuted, refresh)
      .on(RoomEvent.TrackUnmuted, refresh)
      .on(RoomEvent.ActiveSpeakersChanged, (speakers: Participant[]) => this.#spoke(speakers))
      .on(RoomEvent.Reconnecting, () => (this.status = 'reconnecting'))
      .on(RoomEvent.Reconnected, () => void this.#reconnected())
      .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => void this.#dropped(reason));
    // The chosen speaker applies to every remote audio element, now and later. Until one is chosen
    // nothing is set: audio plays on the default output (and Firefox rejects the id 'default').
    let appliedSpeaker: string | null = null;
    this.#stopEffects = $effect.root(() => {
      $effect(() => {
        const sink = sinkToApply(this.#media.speakerId, appliedSpeaker);
        if (sink === null) return;
        appliedSpeaker = sink;
        void this.#room.switchActiveDevice('audiooutput', sink).catch(() => undefined);
      });
    });
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

  /** Start sharing the screen (the browser asks which one; call from a click) or stop. */
  async setScreenShare(on: boolean): Promise<void> {
    if (!on) return this.#stopScreen();
    if (this.sharing) return;
    this.screenProblem = undefined;
    let tracks: LocalTrack[];
    try {
      tracks = await this.#room.localParticipant.createScreenTracks({ audio: true, systemAudio: 'include', selfBrowserSurface: 'exclude', contentHint: 'detail' });
    } catch (error) {
      if (!(error instanceof Error && error.name === 'NotAllowedError')) this.screenProblem = message('media.screenFailed');
      return;
    }
    const video = tracks.find((t): t is LocalVideoTrack => t.kind === Track.Kind.Video);
    if (!video) {
      for (const t of tracks) t.stop();
      return;
    }
    this.#screenTracks = tracks;
    this.sharing = video;
    // The browser's own "Stop sharing" ends the capture.
    video.once(TrackEvent.Ended, () => void this.#stopScreen());
    for (const track of tracks) await this.#publish(track);
  }

  /** Pause these remote cameras at the SFU: the call view does not show them (audio always plays). */
  setHidden(ids: ReadonlySet<string>): void {
    this.#hidden = ids;
    this.#applyVisibility();
  }

  async leave(): Promise<void> {
    this.#leaving = true;
    this.status = 'ended';
    this.#stopEffects();
    await this.#room.disconnect(true);
    this.#releaseScreen();
  }

  #localVideo(): VideoTrack | undefined {
    void this.#media.revision;
    return this.#media.cameraOn ? this.#media.video : undefined;
  }

  async #connect(grant: LiveKitGrant): Promise<void> {
    await this.#room.connect(grant.url, grant.token, {
      autoSubscribe: true,
      rtcConfig: rtcConfigFor(grant),
    });
    this.#localId = this.#room.localParticipant.identity;
    await this.#reconnected();
  }

  /** Connected (again): publish what is on and was not published meanwhile, restore the effects. */
  async #reconnected(): Promise<void> {
    this.status = 'connected';
    if (this.#media.cameraOn) await this.#publish(this.#media.video);
    if (this.#media.micOn) await this.#publish(this.#media.audio);
    for (const track of this.#screenTracks) await this.#publish(track);
    // A disconnect releases LiveKit's audio context, and an audio processor with it.
    await this.#media.effects.applyTo(this.#media.video, this.#media.audio);
    this.#refresh();
  }

  async #publish(track: LocalVideoTrack | LocalAudioTrack | LocalTrack | undefined): Promise<void> {
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

  async #stopScreen(): Promise<void> {
    const tracks = this.#screenTracks;
    this.#releaseScreen();
    await Promise.allSettled(tracks.map((t) => this.#room.localParticipant.unpublishTrack(t)));
    this.#refresh();
  }

  #releaseScreen(): void {
    for (const track of this.#screenTracks) track.stop();
    this.#screenTracks = [];
    this.sharing = undefined;
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

  #spoke(speakers: readonly Participant[]): void {
    const remote = speakers.find((p) => p.identity !== this.#room.localParticipant.identity);
    if (remote) this.lastSpeaker = remote.identity;
    this.#refresh();
  }

  #refresh(): void {
    const participants = [...this.#room.remoteParticipants.values()];
    this.#localSpeaking = this.#room.localParticipant.isSpeaking;
    this.remotes = participants.map(remoteView);
    const screens = participants.map(remoteScreen).filter((s) => s !== undefined);
    // Oldest share first: a share keeps its place; new ones go last.
    this.#screenOrder = [...this.#screenOrder.filter((id) => screens.some((s) => s.id === id)), ...screens.map((s) => s.id).filter((id) => !this.#screenOrder.includes(id))];
    this.remoteScreens = this.#screenOrder.map((id) => screens.find((s) => s.id === id)).filter((s) => s !== undefined);
    this.#applyVisibility();
  }

  #applyVisibility(): void {
    for (const participant of this.#room.remoteParticipants.values()) {
      const camera = participant.getTrackPublication(Track.Source.Camera);
      const wanted = !this.#hidden.has(participant.identity);
      if (camera && camera.isSubscribed && camera.isEnabled !== wanted) camera.setEnabled(wanted);
    }
  }
}
