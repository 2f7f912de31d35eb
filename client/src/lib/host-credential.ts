// The host credential of rooms this tab created (or was handed the host role of), in this tab's
// sessionStorage keyed by room id: whoever holds it is the host, so it is never put in a link.
const PREFIX = 'sealroom.host.';

export function saveHostCredential(roomId: string, credential: string): void {
  try {
    sessionStorage.setItem(PREFIX + roomId, credential);
  } catch {
    // Without storage this tab stays host until it is reloaded.
  }
}

export function loadHostCredential(roomId: string): string | undefined {
  try {
    return sessionStorage.getItem(PREFIX + roomId) ?? undefined;
  } catch {
    return undefined;
  }
}
