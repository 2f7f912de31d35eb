// This profile's X25519 key for each room (store "room-keys", keyed by room id), made on first
// use. It is kept so a host or member who reloads, or comes back later, can still open the epoch
// envelopes sealed to it and carry on. Deleted when the room ends or this member is removed.
//
// The same record numbers this profile's page lives in the room: every claim takes the next number
// in one read-write transaction, so two tabs or a reload never get the same one, and whoever can
// read the room key got its own life with it. The life picks the SFrame counter space the page
// sends in (crypto/epoch.ts `pageLifeCounters`); that is what keeps (KID, CTR) unique across
// reloads and tabs, whatever the server's log says.
//
//   record: { key: encoded room key pair, lives: number of lives handed out so far }
// Records of an older version hold the bare key bytes; their first claim gets life 1 (life 0 may
// have been used by that version's page).
import { decodeRoomKey, encodeRoomKey, generateRoomKey, type RoomKeyPair } from '../../../../crypto/identity';
import { deleteKey, Store, updateValue, withDb } from './idb';
import { nextPageLife, type RoomKeyRecord } from './page-life';

export interface ClaimedRoomKey {
  readonly roomKey: RoomKeyPair;
  /** This page life's number in the room. */
  readonly life: number;
}

/** The room key (made now if there is none) and a page life no other page of this profile got. */
export function claimRoomKey(roomId: string): Promise<ClaimedRoomKey> {
  return withDb(async (db) => {
    const record = await updateValue<RoomKeyRecord>(db, Store.roomKeys, roomId, (stored) => nextPageLife(stored, () => encodeRoomKey(generateRoomKey())));
    return { roomKey: decodeRoomKey(record.key), life: record.lives - 1 };
  });
}

export function forgetRoomKey(roomId: string): Promise<void> {
  return withDb((db) => deleteKey(db, Store.roomKeys, roomId));
}
