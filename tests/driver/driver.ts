// A headless Sealroom participant for tests and benchmarks: the real crypto/ state machine and
// host operations over a real WebSocket to the real signaling server, following the browser's
// conventions. This file holds the roles; member-core.ts the connection, state and waits.
//
//   host:  POST /api/rooms, connect with the host credential, sync; an empty log -> publish
//          epoch 0. A knock is opened with openJoinRequest (a throw drops it and is counted).
//          admit/remove send their message and, right after it, the matching commit. `left`
//          -> one `leave` commit for each id still in the member list.
//   guest: connect with the link's access token, sync, and knock() sealed to the host's room
//          key from the verified chain; the admit commit brings the epoch secret.
import {
  fromBase64Url,
  toBase64Url,
  participantIdBytes,
  SealroomCryptoError,
  type Reason,
  host,
  generateIdentity,
  generateRoomKey,
  type JoinRequest,
  createJoinRequest,
  openJoinRequest,
  type LinkFragment,
  hostRoomKey,
  isHost,
  sodiumReady,
} from '../../crypto/index';
import { PROTOCOL_VERSION } from '../../protocol/protocol';
import { DriverError } from './errors';
import { DEFAULT_TIMEOUT_MS, MemberCore, type Seat } from './member-core';
import { commitMessage, indexesOf } from './messages';
import { type DroppedKnock, memberInfos, reasonOf } from './records';
import { accessCredential, createRoomOverHttp } from './room-api';

export interface MemberOptions {
  /** Host only: admit every knock that verifies, batching knocks that arrive together into one commit. */
  readonly autoAdmit?: boolean;
  /** Default timeout of every wait, the constructors' and knock()'s included, ms (5000). */
  readonly timeoutMs?: number;
}

export class ProtocolMember extends MemberCore {
  /** Verified knocks waiting for the host: participant id -> join request. */
  readonly pendingKnocks = new Map<string, JoinRequest>();
  /** Knocks the host could not open or verify. */
  readonly droppedKnocks: DroppedKnock[] = [];
  /** Admits the driver attempted on its own (autoAdmit) that crypto/ refused, e.g. room-full. */
  readonly failedAutoAdmits: Reason[] = [];
  private admitScheduled = false;

  private constructor(
    seat: Seat,
    private readonly autoAdmit: boolean,
    timeoutMs: number,
  ) {
    super(seat, timeoutMs);
  }

  /** Create a room over HTTP, connect with the host credential and publish epoch 0. */
  static async createRoomAsHost(origin: string, name: string, options: MemberOptions = {}): Promise<ProtocolMember> {
    await sodiumReady();
    const identity = generateIdentity();
    const created = await createRoomOverHttp(origin, identity);
    const seat = { origin, roomId: created.roomId, fragment: created.fragment, name, self: { identity, roomKey: generateRoomKey() } };
    const member = new ProtocolMember(seat, options.autoAdmit ?? false, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    await member.connect(created.hostCredential, () => member.epoch !== null, 'the room at epoch 0');
    return member;
  }

  /** Connect with the link's access token and read the room's log; call knock() to ask in. */
  static async joinAsGuest(origin: string, roomId: string, fragment: LinkFragment, name: string, options: MemberOptions = {}): Promise<ProtocolMember> {
    await sodiumReady();
    const seat = { origin, roomId, fragment, name, self: { identity: generateIdentity(), roomKey: generateRoomKey() } };
    const member = new ProtocolMember(seat, options.autoAdmit ?? false, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    await member.connect(accessCredential(fragment), () => member.synced, 'the answer to sync');
    return member;
  }

  /** Send a join request sealed to the host's verified room key (waiting for epoch 0 if need be). */
  async knock(timeoutMs = this.timeoutMs): Promise<void> {
    await this.waitFor(() => hostRoomKey(this.current) !== null, "the host's room key", timeoutMs);
    const hostRoomPublicKey = hostRoomKey(this.current) as Uint8Array;
    const { identity, roomKey } = this.self;
    const participantId = participantIdBytes(this.participantId);
    const request = createJoinRequest({ identity, roomKey, roomId: this.room.roomId, participantId, hostRoomPublicKey, displayName: this.name, joinMacKey: this.room.joinMacKey });
    this.send({ v: PROTOCOL_VERSION, type: 'knock', payload: toBase64Url(request) });
  }

  /** Host: admit these knocking participants in one commit. Returns the commit's epoch. */
  admit(participantIds: readonly string[]): number {
    const admissions = participantIds.map((participantId) => {
      const request = this.pendingKnocks.get(participantId);
      if (request === undefined) throw new DriverError('no-knock', `${this.name} holds no verified knock from ${participantId}`);
      return { participantId, request };
    });
    const result = host.admit(this.requireHost(), admissions);
    for (const id of participantIds) this.pendingKnocks.delete(id);
    this.send({ v: PROTOCOL_VERSION, type: 'admit', participants: [...participantIds] });
    return this.publish(result);
  }

  /** Host: admit every verified knock waiting. Returns the commit's epoch. */
  admitAll(): number {
    return this.admit([...this.pendingKnocks.keys()]);
  }

  /** Host: remove these members (the server closes them with 4403) and rekey. Returns the epoch. */
  remove(participantIds: readonly string[]): number {
    const state = this.requireHost();
    const result = host.remove(state, indexesOf(state, participantIds));
    this.send({ v: PROTOCOL_VERSION, type: 'remove', participants: [...participantIds] });
    return this.publish(result);
  }

  /** Host: resolves once at least `count` verified knocks are pending. */
  waitForKnocks(count: number, timeoutMs = this.timeoutMs): Promise<void> {
    return this.waitFor(() => this.pendingKnocks.size >= count, `${count} pending knocks`, timeoutMs);
  }

  protected override onEmptyLog(): void {
    if (this.role !== 'host') return; // a guest knocks once the host's epoch 0 arrives
    this.publish(host.createRoom({ room: this.room, self: this.self, participantId: this.participantId, displayName: this.name }));
  }

  protected override onKnock(from: string, payload: string): void {
    try {
      this.pendingKnocks.set(from, openJoinRequest(this.self.roomKey, this.room.joinMacKey, this.room.roomId, fromBase64Url(payload), participantIdBytes(from)));
    } catch (caught) {
      this.droppedKnocks.push({ from, reason: reasonOf(caught) });
      return;
    }
    if (!this.autoAdmit || this.admitScheduled) return;
    // Knocks read in the same turn of the event loop go into one commit.
    this.admitScheduled = true;
    setImmediate(() => {
      this.admitScheduled = false;
      if (this.pendingKnocks.size === 0 || !isHost(this.current) || !this.isOpen) return;
      try {
        this.admitAll();
      } catch (caught) {
        if (!(caught instanceof SealroomCryptoError)) throw caught;
        this.failedAutoAdmits.push(caught.reason);
      }
      this.recheck();
    });
  }

  protected override onLeft(participantIds: readonly string[]): void {
    for (const id of participantIds) {
      const state = this.current;
      if (!isHost(state)) return;
      const member = memberInfos(state).find((m) => m.participantId === id);
      if (member !== undefined && member.index !== state.hostIndex) this.publish(host.leave(state, member.index));
    }
  }

  protected override summary(): string {
    return `${super.summary()}, ${this.pendingKnocks.size} knocks pending, ${this.droppedKnocks.length} dropped`;
  }

  private publish(result: host.HostResult): number {
    this.send(commitMessage(result));
    this.adopt(result.state);
    return result.epoch;
  }
}
