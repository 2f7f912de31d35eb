// The pure half of room-key-store.ts: what a stored room-key record becomes when a page claims a
// life. Kept apart so a unit test can drive it without IndexedDB.
import { MAX_PAGE_LIFE } from '../../../../crypto/epoch';

export interface RoomKeyRecord {
  /** The encoded room key pair (crypto/identity.ts encodeRoomKey). */
  readonly key: Uint8Array;
  /** Lives handed out so far; the newest claim's life is lives - 1. */
  readonly lives: number;
}

/** The record after one more claim. Throws when every life was handed out or the record is damaged. */
export function nextPageLife(stored: unknown, makeKey: () => Uint8Array): RoomKeyRecord {
  if (stored === undefined) return { key: makeKey(), lives: 1 };
  if (stored instanceof Uint8Array) return { key: stored, lives: 2 }; // an older version's record: life 0 may be spent
  if (typeof stored === 'object' && stored !== null) {
    const { key, lives } = stored as Partial<RoomKeyRecord>;
    if (key instanceof Uint8Array && Number.isInteger(lives) && (lives as number) >= 1) {
      if ((lives as number) > MAX_PAGE_LIFE) throw new Error('this room key has no page life left: leave and rejoin the room');
      return { key, lives: (lives as number) + 1 };
    }
  }
  throw new Error('the stored room key is damaged');
}
