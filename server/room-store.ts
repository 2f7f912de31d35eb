// Where rooms outlive a process (docs/decisions/0020-durable-rooms-and-room-owners.md): the
// RoomStore boundary, and its in-process implementation. server/redis-store.ts is the shared one.
//
// A room is three things in a store: its record (server/room-record.ts text, with the count of
// connected sockets `live` and the last stored epoch beside it), its commit log (at most
// MAX_LOG_COMMITS entries, keyed by epoch), and its lease: the id of the one node serving it,
// with an expiry. Every write names the writing node and is refused unless that node holds the
// lease at that instant (fencing), and a commit is refused unless its epoch is exactly the next.
import { MAX_LOG_COMMITS } from '../protocol/limits';
import { encodeCommit, type StoredCommit } from './room-record';

export type Claim =
  /** This node holds the lease now. */
  | 'ours'
  /** Another node holds a live lease and has sockets in the room. */
  | 'busy'
  /** No such room (never created, ended, or expired). */
  | 'gone';

export interface LoadedRoom {
  readonly record: string;
  /** The commit log as stored, decoded later by server/room-record.ts decodeCommits. */
  readonly commits: readonly { epoch: string; text: string }[];
  readonly lastEpoch: string | undefined;
}

/** The write was refused because this node does not hold the room's lease (any more). */
export class FencedError extends Error {
  override readonly name = 'FencedError';
  constructor(readonly roomId: string) {
    super(`room ${roomId}: this node no longer holds the room's lease`);
  }
}

/** The store refused a commit whose epoch is not exactly the next. */
export class EpochRefusedError extends Error {
  override readonly name = 'EpochRefusedError';
  constructor(
    readonly roomId: string,
    readonly epoch: number,
  ) {
    super(`room ${roomId}: the store refused epoch ${epoch}: it is not the next`);
  }
}

export interface SaveRequest {
  readonly record: string;
  /** Connected sockets: a lease held over none may be taken by another node (claim). */
  readonly live: number;
  readonly commit?: StoredCommit;
}

export interface RoomStore {
  /** 'redis' or 'memory', printed at start. */
  readonly kind: string;
  /** Store a new room and give `node` its lease. False if the id is taken. */
  create(roomId: string, node: string, record: string): Promise<boolean>;
  /** Take the lease if it is free, expired, ours, or held over no connected socket. */
  claim(roomId: string, node: string): Promise<Claim>;
  /** The room as stored, or null. Reads need no lease. */
  load(roomId: string): Promise<LoadedRoom | null>;
  /** Replace the record (and append a commit) under `node`'s lease; throws FencedError / EpochRefusedError. */
  save(roomId: string, node: string, request: SaveRequest): Promise<void>;
  /** Extend the lease and the room's idle expiry; false if `node` lost the lease. */
  renew(roomId: string, node: string): Promise<boolean>;
  /** Give the lease up (the room stays stored). */
  release(roomId: string, node: string): Promise<void>;
  /** Forget the room (it ended or expired) under `node`'s lease; throws FencedError. */
  remove(roomId: string, node: string): Promise<void>;
  close(): Promise<void>;
}

export interface StoreTiming {
  /** How long a lease lasts unless renewed: the bound on a takeover after its owner died. */
  readonly leaseMs: number;
  /** A stored room nobody touches expires after this long (ROOM_IDLE_TTL_SECONDS). */
  readonly idleTtlMs: number;
}

interface MemoryRoom {
  record: string;
  live: number;
  commits: { epoch: string; text: string }[];
  lastEpoch: number;
  expires: number;
  lease?: { node: string; expires: number };
}

/**
 * The store of one process: the same rules as Redis (leases, fencing, next-epoch only, idle
 * expiry), kept in a Map. Rooms in it last as long as the process; the tests' default.
 */
export class MemoryRoomStore implements RoomStore {
  readonly kind = 'memory';
  private readonly rooms = new Map<string, MemoryRoom>();

  constructor(
    private readonly timing: StoreTiming,
    private readonly now: () => number = Date.now,
  ) {}

  private live(roomId: string): MemoryRoom | undefined {
    const room = this.rooms.get(roomId);
    if (room !== undefined && room.expires <= this.now()) {
      this.rooms.delete(roomId);
      return undefined;
    }
    return room;
  }

  private holds(room: MemoryRoom, node: string): boolean {
    return room.lease !== undefined && room.lease.node === node && room.lease.expires > this.now();
  }

  create(roomId: string, node: string, record: string): Promise<boolean> {
    if (this.live(roomId) !== undefined) return Promise.resolve(false);
    const now = this.now();
    this.rooms.set(roomId, { record, live: 0, commits: [], lastEpoch: -1, expires: now + this.timing.idleTtlMs, lease: { node, expires: now + this.timing.leaseMs } });
    return Promise.resolve(true);
  }

  claim(roomId: string, node: string): Promise<Claim> {
    const room = this.live(roomId);
    if (room === undefined) return Promise.resolve('gone');
    const held = room.lease !== undefined && room.lease.expires > this.now();
    if (held && room.lease!.node !== node && room.live > 0) return Promise.resolve('busy');
    room.lease = { node, expires: this.now() + this.timing.leaseMs };
    return Promise.resolve('ours');
  }

  load(roomId: string): Promise<LoadedRoom | null> {
    const room = this.live(roomId);
    if (room === undefined) return Promise.resolve(null);
    return Promise.resolve({ record: room.record, commits: room.commits.map((c) => ({ ...c })), lastEpoch: String(room.lastEpoch) });
  }

  save(roomId: string, node: string, request: SaveRequest): Promise<void> {
    const room = this.live(roomId);
    if (room === undefined || !this.holds(room, node)) return Promise.reject(new FencedError(roomId));
    if (request.commit !== undefined) {
      if (request.commit.epoch !== room.lastEpoch + 1) return Promise.reject(new EpochRefusedError(roomId, request.commit.epoch));
      room.commits.push({ epoch: String(request.commit.epoch), text: encodeCommit(request.commit) });
      if (room.commits.length > MAX_LOG_COMMITS) room.commits.shift();
      room.lastEpoch = request.commit.epoch;
    }
    room.record = request.record;
    room.live = request.live;
    room.expires = this.now() + this.timing.idleTtlMs;
    return Promise.resolve();
  }

  renew(roomId: string, node: string): Promise<boolean> {
    const room = this.live(roomId);
    if (room === undefined || !this.holds(room, node)) return Promise.resolve(false);
    const now = this.now();
    room.lease = { node, expires: now + this.timing.leaseMs };
    room.expires = now + this.timing.idleTtlMs;
    return Promise.resolve(true);
  }

  release(roomId: string, node: string): Promise<void> {
    const room = this.live(roomId);
    if (room !== undefined && room.lease?.node === node) delete room.lease;
    return Promise.resolve();
  }

  remove(roomId: string, node: string): Promise<void> {
    const room = this.live(roomId);
    if (room === undefined) return Promise.resolve();
    if (!this.holds(room, node)) return Promise.reject(new FencedError(roomId));
    this.rooms.delete(roomId);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
