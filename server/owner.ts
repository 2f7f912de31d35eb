// This node's side of room ownership (docs/decisions/0020-durable-rooms-and-room-owners.md):
// which rooms it serves, loading a room from the store when a socket arrives for it (waiting out
// a dead owner's lease), renewing its leases, and writing each change to the store BEFORE its
// effects are sent: a room's changes are written, then flushed, in the order they happened. A
// write the store refuses (the lease moved on, the store is unreachable) unloads the room and
// closes its sockets with 1013: the clients come back with their resume tokens and find the room
// as the store last held it, here or on the node that holds it now.
import type { Logger } from './log';
import { decodeCommits, decodeRecord, encodeRecord, StoreRecordError, type StoredCommit } from './room-record';
import { FencedError, type RoomStore } from './room-store';
import { Room } from './room';
import type { Rooms } from './rooms';

export interface OwnerDeps {
  readonly store: RoomStore;
  readonly rooms: Rooms;
  readonly node: string;
  readonly leaseMs: number;
  readonly log: Logger;
  readonly now: () => number;
  /** The room was unloaded (lease lost or store failed): close its sockets, they will resume. */
  readonly onLost: (room: Room) => void;
}

export type Opened = { readonly kind: 'room'; readonly room: Room } | { readonly kind: 'gone' } | { readonly kind: 'busy' } | { readonly kind: 'bad-record'; readonly error: StoreRecordError };

/** How often a node waiting for another's lease asks again, as a share of the lease. */
const CLAIM_POLLS_PER_LEASE = 10;

export class Owner {
  /** Per room: the tail of its writes, and whether it was lost (then nothing more is flushed). */
  private readonly chains = new Map<Room, { tail: Promise<void>; pending: number }>();
  private readonly opening = new Map<string, Promise<Opened>>();
  private readonly lost = new WeakSet<Room>();

  constructor(private readonly deps: OwnerDeps) {}

  /**
   * The room to attach a socket to: the one this node serves, or the stored one once this node
   * holds its lease. A lease held by a live node over connected sockets is waited on for one
   * lease time (its owner may have died); after that the answer is `busy`.
   */
  open(roomId: string): Promise<Opened> {
    const local = this.deps.rooms.get(roomId);
    if (local !== undefined) return this.confirm(local);
    return this.claimAndLoad(roomId);
  }

  /**
   * A room served here gets a new socket only while this node still holds its lease: another node
   * may have taken it since the last renewal (a room created here and claimed by the node the
   * balancer routes it to). Then it is dropped here and opened as any other node's room.
   */
  private async confirm(local: Room): Promise<Opened> {
    const claim = await this.deps.store.claim(local.id, this.deps.node);
    if (claim === 'ours') return { kind: 'room', room: local };
    this.lose(local, new FencedError(local.id));
    return claim === 'gone' ? { kind: 'gone' } : this.claimAndLoad(local.id);
  }

  private claimAndLoad(roomId: string): Promise<Opened> {
    let pending = this.opening.get(roomId);
    if (pending === undefined) {
      pending = this.load(roomId).finally(() => this.opening.delete(roomId));
      this.opening.set(roomId, pending);
    }
    return pending;
  }

  private async load(roomId: string): Promise<Opened> {
    const { store, node, leaseMs, now } = this.deps;
    const deadline = now() + leaseMs + leaseMs / 2;
    for (;;) {
      const claim = await store.claim(roomId, node);
      if (claim === 'gone') return { kind: 'gone' };
      if (claim === 'ours') break;
      if (now() >= deadline) return { kind: 'busy' };
      await new Promise((resolve) => setTimeout(resolve, leaseMs / CLAIM_POLLS_PER_LEASE));
    }
    const already = this.deps.rooms.get(roomId);
    if (already !== undefined) return { kind: 'room', room: already };
    let room: Room;
    try {
      room = await this.read(roomId);
    } catch (error) {
      await store.release(roomId, node).catch(() => undefined);
      if (error instanceof StoreRecordError) {
        this.deps.log.warn('store.bad-record', { room: roomId });
        return { kind: 'bad-record', error };
      }
      throw error;
    }
    this.deps.rooms.adopt(room);
    this.deps.log.info('room.loaded', { room: roomId, node });
    // Who was connected at the old owner is disconnected here: record that before anything else.
    this.write(room, undefined, () => undefined);
    return { kind: 'room', room };
  }

  /** The stored room, for reading only (`GET /api/rooms/:id` on a node that does not serve it). */
  async peek(roomId: string): Promise<Room | null> {
    const local = this.deps.rooms.get(roomId);
    if (local !== undefined) return local;
    const stored = await this.deps.store.load(roomId);
    return stored === null ? null : this.decode(roomId, stored, true);
  }

  private async read(roomId: string): Promise<Room> {
    const stored = await this.deps.store.load(roomId);
    if (stored === null) throw new StoreRecordError(roomId, 'it vanished while being loaded');
    return this.decode(roomId, stored);
  }

  private decode(roomId: string, stored: { record: string; commits: readonly { epoch: string; text: string }[]; lastEpoch: string | undefined }, asStored = false): Room {
    return Room.restore(decodeRecord(roomId, stored.record), decodeCommits(roomId, stored.commits, stored.lastEpoch), this.deps.now(), asStored);
  }

  /** A room this node just created and holds the lease of. */
  async created(room: Room): Promise<boolean> {
    return this.deps.store.create(room.id, this.deps.node, encodeRecord(room.durable()));
  }

  /**
   * Write the room as it is now (and `commit`, if the change appended one), then run `flush`: the
   * snapshot is taken here, synchronously, so writes land in the order the changes were made.
   */
  write(room: Room, commit: StoredCommit | undefined, flush: () => void): void {
    const request = room.ended ? undefined : { record: encodeRecord(room.durable()), live: room.connected().length, ...(commit !== undefined ? { commit } : {}) };
    this.enqueue(room, async () => {
      if (request === undefined) await this.deps.store.remove(room.id, this.deps.node);
      else await this.deps.store.save(room.id, this.deps.node, request);
    }, flush);
  }

  /** Run `flush` after the room's pending writes (at once when there are none): a change that stores nothing. */
  after(room: Room, flush: () => void): void {
    const chain = this.chains.get(room);
    if (chain === undefined || chain.pending === 0) {
      if (!this.lost.has(room)) flush();
      return;
    }
    this.enqueue(room, () => Promise.resolve(), flush);
  }

  private enqueue(room: Room, step: () => Promise<void>, flush: () => void): void {
    let chain = this.chains.get(room);
    if (chain === undefined) this.chains.set(room, (chain = { tail: Promise.resolve(), pending: 0 }));
    const c = chain;
    c.pending++;
    c.tail = c.tail.then(async () => {
      try {
        if (this.lost.has(room)) return;
        await step();
        flush();
      } catch (error) {
        this.lose(room, error);
      } finally {
        c.pending--;
        // A room that ended or expired here keeps no chain once its last write is done.
        if (c.pending === 0 && this.deps.rooms.get(room.id) !== room) this.chains.delete(room);
      }
    });
  }

  /** Stop serving `room` here: forget it, and let its sockets come back to whoever holds it now. */
  private lose(room: Room, error: unknown): void {
    if (this.lost.has(room)) return;
    this.lost.add(room);
    this.deps.log.warn('room.unloaded', { room: room.id, why: error instanceof FencedError ? 'lease-lost' : error instanceof Error ? error.name : 'unknown' });
    if (this.deps.rooms.get(room.id) === room) this.deps.rooms.delete(room.id);
    this.chains.delete(room);
    this.deps.onLost(room);
  }

  /** One renewal round over every room served here; a lease found lost unloads its room. */
  async renew(): Promise<void> {
    await Promise.all(
      this.deps.rooms.all().map(async (room) => {
        try {
          if (!(await this.deps.store.renew(room.id, this.deps.node))) this.lose(room, new FencedError(room.id));
        } catch (error) {
          this.deps.log.warn('store.renew-failed', { room: room.id, error: error instanceof Error ? error.name : 'unknown' });
        }
      }),
    );
  }

  /** An idle room expired here: forget it in the store too. */
  expire(room: Room): void {
    this.enqueue(room, () => this.deps.store.remove(room.id, this.deps.node), () => undefined);
  }

  /** Wait for every pending write, then give up every lease (a graceful shutdown: another node may take over at once). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.chains.values()].map((c) => c.tail));
    await Promise.all(this.deps.rooms.all().map((room) => this.deps.store.release(room.id, this.deps.node).catch(() => undefined)));
  }
}
