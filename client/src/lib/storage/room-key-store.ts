// This profile's X25519 key for each room (store "room-keys", keyed by room id), made on first
// use. It is kept so a host or member who reloads, or comes back later, can still open the epoch
// envelopes sealed to it and carry on. Deleted when the room ends or this member is removed.
import { decodeRoomKey, encodeRoomKey, generateRoomKey, type RoomKeyPair } from '../../../../crypto/index';
import { addOrGetBytes, deleteKey, Store, withDb } from './idb';

export function loadRoomKey(roomId: string): Promise<RoomKeyPair> {
  return withDb(async (db) => decodeRoomKey(await addOrGetBytes(db, Store.roomKeys, roomId, encodeRoomKey(generateRoomKey()))));
}

export function forgetRoomKey(roomId: string): Promise<void> {
  return withDb((db) => deleteKey(db, Store.roomKeys, roomId));
}
