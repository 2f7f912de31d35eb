// The room link and everything derived from its secret.
//
//   https://host/r/<roomId>#<linkSecret>.<hostFingerprint>
//                           \__ 32 bytes __/ \__ 32 bytes __/   both base64url, 43 characters
//
// Browsers never send the fragment to a server. From the link secret each client derives:
//   accessToken    = kdf(secret, "link/access-token", "")       shown to the server to open a socket
//   accessVerifier = hash("link/access-verifier", accessToken) the only form the server stores
//   roomInfoKey    = kdf(secret, "link/room-info-key", "")      hides title, description, start time
//   joinMacKey     = kdf(secret, "link/join-mac-key", roomId)   binds join requests to the link
//   lobbyKey  = kdf(secret, "link/lobby-key", roomId) wraps the lobby record (lobby.ts): whom to knock to
// The first three are needed before the server has assigned the room id (the host sends the
// verifier and the sealed info with `POST /api/rooms`); the link secret is fresh for every room,
// so they are still room-specific. The last two are bound to the room id as well.
import { CodecError, Reason } from './errors';
import { fromBase64Url, toBase64Url } from './bytes';
import { FINGERPRINT_BYTES, ROOM_ID_BYTES, assertLength } from './identity';
import { Label } from './labels';
import { kdf, labelledHash } from './kdf';
import { sodium } from './sodium';

export const LINK_SECRET_BYTES = 32;

export interface LinkFragment {
  readonly linkSecret: Uint8Array;
  readonly hostFingerprint: Uint8Array;
}

export interface AccessKeys {
  readonly accessToken: Uint8Array;
  readonly accessVerifier: Uint8Array;
  readonly roomInfoKey: Uint8Array;
}

export interface LinkKeys extends AccessKeys {
  readonly joinMacKey: Uint8Array;
  readonly lobbyKey: Uint8Array;
}

export function generateLinkSecret(): Uint8Array {
  return sodium().randombytes_buf(LINK_SECRET_BYTES);
}

export function formatFragment(fragment: LinkFragment): string {
  assertLength(fragment.linkSecret, LINK_SECRET_BYTES, 'link secret');
  assertLength(fragment.hostFingerprint, FINGERPRINT_BYTES, 'host fingerprint');
  return `${toBase64Url(fragment.linkSecret)}.${toBase64Url(fragment.hostFingerprint)}`;
}

/** Parse `#secret.fingerprint` (with or without the `#`). Throws CodecError for a damaged link. */
export function parseFragment(text: string): LinkFragment {
  const body = text.startsWith('#') ? text.slice(1) : text;
  const parts = body.split('.');
  if (parts.length !== 2) throw new CodecError(Reason.malformed, 'the link is damaged: expected <secret>.<host fingerprint> after #');
  const [secretText, fingerprintText] = parts as [string, string];
  let linkSecret: Uint8Array;
  let hostFingerprint: Uint8Array;
  try {
    linkSecret = fromBase64Url(secretText);
    hostFingerprint = fromBase64Url(fingerprintText);
  } catch {
    throw new CodecError(Reason.malformed, 'the link is damaged: its fragment is not base64url');
  }
  if (linkSecret.length !== LINK_SECRET_BYTES || hostFingerprint.length !== FINGERPRINT_BYTES) {
    throw new CodecError(Reason.malformed, 'the link is damaged: secret or fingerprint has the wrong length');
  }
  return { linkSecret, hostFingerprint };
}

/** Room ids travel as 22 base64url characters (128 bits). */
export function roomIdBytes(roomId: string): Uint8Array {
  const bytes = fromBase64Url(roomId);
  if (bytes.length !== ROOM_ID_BYTES || roomId.length !== 22) throw new CodecError(Reason.malformed, 'room id must be 16 bytes');
  return bytes;
}

const EMPTY = new Uint8Array(0);

/** What the host needs to create the room, before it has a room id. */
export function deriveAccessKeys(linkSecret: Uint8Array): AccessKeys {
  assertLength(linkSecret, LINK_SECRET_BYTES, 'link secret');
  const accessToken = kdf(linkSecret, Label.accessToken, EMPTY);
  return {
    accessToken,
    accessVerifier: labelledHash(Label.accessVerifier, accessToken),
    roomInfoKey: kdf(linkSecret, Label.roomInfoKey, EMPTY),
  };
}

export function deriveLinkKeys(linkSecret: Uint8Array, roomId: Uint8Array): LinkKeys {
  assertLength(roomId, ROOM_ID_BYTES, 'room id');
  return {
    ...deriveAccessKeys(linkSecret),
    joinMacKey: kdf(linkSecret, Label.joinMacKey, roomId),
    lobbyKey: kdf(linkSecret, Label.lobbyKey, roomId),
  };
}
