// The body of a `mediaState` app message: whether the sender's microphone and camera are on, and
// whether it wants everyone's state in return (it just joined or reconnected). Sealed and signed
// like every app message (crypto/app-message.ts), so neither server can read or forge it.
//
//   +--------+----------+
//   | u8 = 1 | u8 flags |   bit 0 microphone on · bit 1 camera on · bit 2 answer me · others 0
//   +--------+----------+
import { Reader, Writer, CodecError, Reason, checkVersion } from '../../../../crypto/index';

const MEDIA_STATE_VERSION = 1;

export interface MediaState {
  readonly micOn: boolean;
  readonly cameraOn: boolean;
}

export interface MediaStateMessage extends MediaState {
  /** The sender asks every receiver for its own state. */
  readonly ask: boolean;
}

const MIC = 1;
const CAMERA = 2;
const ASK = 4;

export function encodeMediaState(m: MediaStateMessage): Uint8Array {
  return new Writer()
    .u8(MEDIA_STATE_VERSION)
    .u8((m.micOn ? MIC : 0) | (m.cameraOn ? CAMERA : 0) | (m.ask ? ASK : 0))
    .finish();
}

/** Throws CodecError or VersionError for anything but an exact, current-version body. */
export function decodeMediaState(bytes: Uint8Array): MediaStateMessage {
  const r = new Reader(bytes, 'media state');
  checkVersion(r.u8(), MEDIA_STATE_VERSION, 'media state');
  const flags = r.u8();
  r.end();
  if ((flags & ~(MIC | CAMERA | ASK)) !== 0) throw new CodecError(Reason.malformed, 'media state has unknown flags');
  return { micOn: (flags & MIC) !== 0, cameraOn: (flags & CAMERA) !== 0, ask: (flags & ASK) !== 0 };
}
