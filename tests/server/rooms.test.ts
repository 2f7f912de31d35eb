// server/rooms.ts: the registry of rooms, creation and the idle sweep.
import { describe, expect, it } from 'vitest';
import { Rooms } from '../../server/rooms';
import { generateHostKey, toBase64Url } from '../../crypto/index';
import { newAccessKeys } from './helpers';

const hostKey = () => toBase64Url(generateHostKey().publicKey);
const request = () => ({ accessVerifier: newAccessKeys().accessVerifier, hostKey: hostKey() });

describe('rooms registry', () => {
  it('creates rooms that can be found by id, and forgets deleted ones', () => {
    const rooms = new Rooms(1000, 10);
    const created = rooms.create(request(), 0);
    if (!created.ok) throw new Error('not created');
    expect(rooms.get(created.response.roomId)).toBe(created.room);
    expect(created.room.authenticate(created.response.hostCredential)).toEqual({ kind: 'host' });
    rooms.delete(created.response.roomId);
    expect(rooms.get(created.response.roomId)).toBeUndefined();
  });

  it('refuses a non-canonical verifier and a server that is full', () => {
    const rooms = new Rooms(1000, 1);
    expect(rooms.create({ accessVerifier: `${'A'.repeat(42)}B`, hostKey: hostKey() }, 0)).toEqual({ ok: false, reason: 'bad-verifier' });
    expect(rooms.create(request(), 0).ok).toBe(true);
    expect(rooms.create(request(), 0)).toEqual({ ok: false, reason: 'full' });
  });

  it('expires rooms idle for the TTL, but not rooms with someone connected', () => {
    const rooms = new Rooms(1000, 10);
    const keys = newAccessKeys();
    const idle = rooms.create(request(), 0);
    const busy = rooms.create({ accessVerifier: keys.accessVerifier, hostKey: hostKey() }, 0);
    if (!idle.ok || !busy.ok) throw new Error('not created');
    const auth = busy.room.authenticate(keys.accessToken);
    if (auth?.kind !== 'access') throw new Error('no access');
    busy.room.connect(auth, 0, 1);
    expect(rooms.sweep(999).expired).toEqual([]);
    expect(rooms.sweep(1000).expired).toEqual([idle.response.roomId]);
    expect(rooms.get(idle.response.roomId)).toBeUndefined();
    expect(rooms.get(busy.response.roomId)).toBe(busy.room);
  });
});
