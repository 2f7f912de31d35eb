// The host credential of rooms this browser profile created (or was handed the host role of), in
// localStorage keyed by room id, so a host who closes the tab can come back, with the same identity
// key, and carry on. Whoever holds it is the host at the server, so it is never put in a link; the
// members still only follow commits signed by the host identity the link names. Forgotten when the
// room ends for this profile.
const PREFIX = 'sealroom.host.';

export function saveHostCredential(roomId: string, credential: string): void {
  try {
    localStorage.setItem(PREFIX + roomId, credential);
  } catch {
    // Without storage this tab stays host until it is reloaded.
  }
}

export function loadHostCredential(roomId: string): string | undefined {
  try {
    return localStorage.getItem(PREFIX + roomId) ?? undefined;
  } catch {
    return undefined;
  }
}

export function forgetHostCredential(roomId: string): void {
  try {
    localStorage.removeItem(PREFIX + roomId);
    localStorage.removeItem(CREATED + roomId);
  } catch {
    // Nothing stored.
  }
}

// Whether this profile already made the room's first commit. A returning host whose server shows
// an empty log must not make a second epoch 0 (that would fork it off its own room): the server
// lost or hides the log, and the host is told so instead.
const CREATED = 'sealroom.created.';

export function markRoomCreated(roomId: string): void {
  try {
    localStorage.setItem(CREATED + roomId, '1');
  } catch {
    // Not remembered: a later page of this profile trusts an empty log as before.
  }
}

export function roomCreatedHere(roomId: string): boolean {
  try {
    return localStorage.getItem(CREATED + roomId) === '1';
  } catch {
    return false;
  }
}
