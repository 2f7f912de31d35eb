// The registry of live rooms, pure: creation (ids and host credential minted here, only hashes
// kept), lookup, removal, and the idle sweep. Time comes in as `now` (ms). A memory budget bounds
// what all rooms hold together: past MAX_ROOMS rooms or MAX_STORED_BYTES of stored text, a new
// room is refused (HTTP 503 `server-full`) instead of the process growing.
import type { CreateRoomRequest, CreateRoomResponse } from '../protocol/protocol';
import { MAX_ROOMS, MAX_STORED_BYTES, ROOM_OVERHEAD_BYTES } from '../protocol/limits';
import { credentialBytes, hashCredential, newCredential, newId } from './credentials';
import { hostKeyBytes } from './host-authority';
import type { Effect } from './effects';
import { Room } from './room';

export type CreateResult =
  | { readonly ok: true; readonly room: Room; readonly response: CreateRoomResponse }
  /** `bad-verifier` / `bad-host-key`: not canonical base64url of 32 bytes. `full`: the memory budget is spent. */
  | { readonly ok: false; readonly reason: 'bad-verifier' | 'bad-host-key' | 'full' };

export class Rooms {
  private readonly rooms = new Map<string, Room>();

  constructor(
    private readonly idleTtlMs: number,
    private readonly maxRooms: number = MAX_ROOMS,
    private readonly maxBytes: number = MAX_STORED_BYTES,
  ) {}

  get size(): number {
    return this.rooms.size;
  }

  /** What every room holds, as the budget counts it. */
  storedBytes(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.storedBytes();
    return n;
  }

  create(request: CreateRoomRequest, now: number): CreateResult {
    const accessVerifier = credentialBytes(request.accessVerifier);
    if (accessVerifier === null) return { ok: false, reason: 'bad-verifier' };
    const hostKey = hostKeyBytes(request.hostKey);
    if (hostKey === null) return { ok: false, reason: 'bad-host-key' };
    const added = ROOM_OVERHEAD_BYTES + (request.info?.length ?? 0);
    if (this.rooms.size >= this.maxRooms || this.storedBytes() + added > this.maxBytes) return { ok: false, reason: 'full' };
    let id = newId();
    while (this.rooms.has(id)) id = newId();
    const hostCredential = newCredential();
    const room = new Room({
      id,
      hostCredentialHash: hashCredential(hostCredential)!,
      accessVerifier,
      hostKey,
      ...(request.info !== undefined ? { info: request.info } : {}),
      now,
    });
    this.rooms.set(id, room);
    return { ok: true, room, response: { roomId: id, hostCredential } };
  }

  /** The budget is spent: no new room, and no new lobby socket in any room (server/ws.ts). */
  overBudget(): boolean {
    return this.rooms.size > this.maxRooms || this.storedBytes() >= this.maxBytes;
  }

  /** A room loaded from the store (server/owner.ts): served here from now on. */
  adopt(room: Room): void {
    this.rooms.set(room.id, room);
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
  sweep(now: number): { expired: string[]; expiredRooms: Room[]; effects: { room: Room; effects: Effect[] }[] } {
    const expired: string[] = [];
    const expiredRooms: Room[] = [];
    const effects: { room: Room; effects: Effect[] }[] = [];
    for (const room of this.rooms.values()) {
      if (room.isIdle(now, this.idleTtlMs)) {
        expired.push(room.id);
        expiredRooms.push(room);
        continue;
      }
      const e = room.sweep(now);
      if (e.length > 0) effects.push({ room, effects: e });
    }
    for (const id of expired) this.rooms.delete(id);
    return { expired, expiredRooms, effects };
  }
}
