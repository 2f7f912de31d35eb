// What a remote tile shows about a member's microphone and camera. LiveKit's publication mute flag
// is set by the SFU, which Sealroom does not trust; once the member's own signed, sealed media
// state has arrived, it decides. Until then the tile falls back to what LiveKit says.
import { type MediaState } from './media-state';

export interface TileMedia {
  readonly micOn: boolean;
  /** The video track, when LiveKit delivers one. */
  readonly video: unknown;
}

export function applyMediaState<T extends TileMedia>(tile: T, state: MediaState | undefined): T {
  if (state === undefined) return tile;
  return { ...tile, micOn: state.micOn, video: state.cameraOn ? tile.video : undefined };
}
