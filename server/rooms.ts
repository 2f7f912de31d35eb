// The registry of live rooms, pure: creation (ids and host credential minted here, only hashes
// kept), lookup, removal, and the idle sweep. Time comes in as `now` (ms).
import type { CreateRoomRequest, CreateRoomResponse } from '../protocol/protocol';
import { credentialBytes, hashCredential, newCredential, newId } from './credentials';
import type { Effect } from './effects';
import { Room } from './room';

export type CreateResult =
  | { readonly ok: true; readonly room: Room; readonly response: CreateRoomResponse }
  /** `bad-verifier`: not canonical base64url of 32 bytes. `full`: the server holds maxRooms rooms. */
  | { readonly ok: false; readonly reason: 'bad-verifier' | 'full' };

export class Rooms {
  private readonly rooms = new Map<string, Room>();

  constructor(
    private readonly idleTtlMs: number,
    private readonly maxRooms: number,
  ) {}

  get size(): number {
    return this.rooms.size;
  }

  create(request: CreateRoomRequest, now: number): CreateResult {
    const accessVerifier = credentialBytes(request.accessVerifier);
    if (accessVerifier === null) return { ok: false, reason: 'bad-verifier' };
    if (this.rooms.size >= this.maxRooms) return { ok: false, reason: 'full' };
    let id = newId();
    while (this.rooms.has(id)) id = newId();
    const hostCredential = newCredential();
    const room = new Room({
      id,
      hostCredentialHash: hashCredential(hostCredential)!,
      accessVerifier,
      ...(request.info !== undefined ? { info: request.info } : {}),
      now,
    });
    this.rooms.set(id, room);
    return { ok: true, room, response: { roomId: id, hostCredential } };
  }

  get(id: string): Room | undefined {
    const room = this.rooms.get(id);
    return room && !room.ended ? room : undefined;
  }

  delete(id: string): void {
    this.rooms.delete(id);
  }

  all(): Room[] {
    return [...this.rooms.values()];
  }

  /** Forget idle rooms and stale lobby participants. Returns the expired ids and other effects. */
  sweep(now: number): { expired: string[]; effects: { room: Room; effects: Effect[] }[] } {
    const expired: string[] = [];
    const effects: { room: Room; effects: Effect[] }[] = [];
    for (const room of this.rooms.values()) {
      if (room.isIdle(now, this.idleTtlMs)) {
        expired.push(room.id);
        continue;
      }
      const e = room.sweep(now);
      if (e.length > 0) effects.push({ room, effects: e });
    }
    for (const id of expired) this.rooms.delete(id);
    return { expired, effects };
  }
}
