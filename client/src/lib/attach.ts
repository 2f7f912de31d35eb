// Svelte attachment that shows a LiveKit track in a <video> or <audio> element while it is mounted.
import { type Attachment } from 'svelte/attachments';
import { type Track } from 'livekit-client';

export function attachTrack(track: Track | undefined): Attachment<HTMLMediaElement> {
  return (element) => {
    if (!track) return;
    track.attach(element);
    return () => {
      track.detach(element);
    };
  };
}
