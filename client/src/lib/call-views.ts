// What the call view shows of a remote participant: a tile (camera, microphone, speaking) and,
// while they share, their screen. Plain objects built from livekit-client's publications.
import { RemoteAudioTrack, Track, type RemoteParticipant, type VideoTrack } from 'livekit-client';

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

export interface ScreenView {
  /** The sharer's opaque id. */
  readonly id: string;
  readonly local: boolean;
  readonly video: VideoTrack;
  /** The shared tab's or system's sound, when the sharer's browser captured it (remote only). */
  readonly audio: RemoteAudioTrack | undefined;
}

export function remoteView(p: RemoteParticipant): TileView {
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

export function remoteScreen(p: RemoteParticipant): ScreenView | undefined {
  const screen = p.getTrackPublication(Track.Source.ScreenShare);
  const video = screen?.isSubscribed && !screen.isMuted ? screen.videoTrack : undefined;
  if (!video) return undefined;
  const sound = p.getTrackPublication(Track.Source.ScreenShareAudio);
  const audio = sound?.isSubscribed ? sound.track : undefined;
  return { id: p.identity, local: false, video, audio: audio instanceof RemoteAudioTrack ? audio : undefined };
}
