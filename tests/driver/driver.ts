// A headless Sealroom participant for tests and benchmarks: the client's own session core
// (client/src/lib/session/: log sync, knocks, host commands, in-call messages) over a real
// WebSocket to the real signaling server. No rule of the protocol lives here; this file only
// connects the core to a socket, records what tests and benches read (the SFrame base keys of
// every epoch, when each epoch arrived, the server's errors), and waits.
//
//   host:  POST /api/rooms, connect with the host credential; the core makes epoch 0 once it has
//          read an empty log. admit/remove go through the core's HostDesk. With autoAdmit, knocks
//          read in the same turn of the event loop are admitted in one commit.
//   guest: connect with the link's access token; knock() once the host's key is verified.
import { type Reason } from '../../crypto/index';
import { fromBase64Url, generateHostKey, generateIdentity, generateRoomKey, hostProofMessage, signHostStatement, toBase64Url, type HostKeyPair } from '../../crypto/index';
import { type JoinRequest } from '../../crypto/index';
import { type LinkFragment, roomIdBytes } from '../../crypto/index';
import { chainHead, type MemberState, roomContext, type SelfKeys } from '../../crypto/index';
import { sodiumReady } from '../../crypto/index';
import { CloseCode, PROTOCOL_VERSION, type ClientMessage, type Role, type ServerMessage } from '../../protocol/protocol';
import { type Outgoing } from '../../client/src/lib/session/channel';
import { type EpochKeys, type MediaSink } from '../../client/src/lib/session/media-sink';
import { type Refusal, Session } from '../../client/src/lib/session/session';
import { Conditions } from './conditions';
import { DriverError } from './errors';
import { type DroppedKnock, type MemberInfo, memberInfos } from './records';
import { accessCredential, createRoomOverHttp } from './room-api';
import { SignalingSocket } from './socket';

export type ServerError = Extract<ServerMessage, { type: 'error' }>;

const DEFAULT_TIMEOUT_MS = 5000;

export interface MemberOptions {
  /** Host only: admit every knock that verifies, batching knocks that arrive together into one commit. */
  readonly autoAdmit?: boolean;
  /** Default timeout of every wait, the constructors' and knock()'s included, ms (5000). */
  readonly timeoutMs?: number;
}

interface Seat {
  readonly origin: string;
  readonly roomId: string;
  readonly fragment: LinkFragment;
  readonly name: string;
  readonly self: SelfKeys;
  readonly hostKey?: HostKeyPair;
}

/** The media sink of a headless member: it keeps every epoch's keys (tests open frames with them). */
class KeptKeys implements MediaSink {
  readonly byEpoch = new Map<number, Map<bigint, Uint8Array>>();
  readonly appliedAt = new Map<number, number>();
  constructor(private readonly changed: () => void) {}
  install(keys: EpochKeys): void {
    if (this.byEpoch.has(keys.epoch)) return;
    this.byEpoch.set(keys.epoch, new Map([...keys.keys].map(([kid, k]) => [kid, k.baseKey])));
    this.appliedAt.set(keys.epoch, performance.now());
    this.changed();
  }
  hold(): void {}
  release(): void {}
  onNewerEpoch(): () => void {
    return () => undefined; // a headless member receives no media
  }
}

export class ProtocolMember {
  readonly origin: string;
  readonly roomId: string;
  readonly fragment: LinkFragment;
  readonly name: string;
  readonly self: SelfKeys;
  readonly session: Session;
  readonly serverErrors: ServerError[] = [];
  /** Admits autoAdmit attempted that crypto/ refused, e.g. room-full. */
  readonly failedAutoAdmits: string[] = [];
  /** The server's role for this participant (from welcome, then `admitted`). */
  role: Role | null = null;
  closeCode: number | null = null;
  readonly #media: KeptKeys;
  readonly #conditions: Conditions;
  readonly #timeoutMs: number;
  readonly #autoAdmit: boolean;
  #socket: SignalingSocket | null = null;
  #pid: string | null = null;
  #admitScheduled = false;
  /** This member's per-room host key: it answers the host challenge and signs hand-overs. */
  readonly #hostKey: HostKeyPair;

  private constructor(seat: Seat, options: MemberOptions) {
    ({ origin: this.origin, roomId: this.roomId, fragment: this.fragment, name: this.name, self: this.self } = seat);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#autoAdmit = options.autoAdmit ?? false;
    this.#conditions = new Conditions(seat.name, () => this.#summary());
    this.#media = new KeptKeys(() => this.#conditions.check());
    const room = roomContext(roomIdBytes(seat.roomId), seat.fragment);
    const channel = { send: (m: Outgoing) => this.#send({ v: PROTOCOL_VERSION, ...m } as ClientMessage), open: true };
    const hostKey = seat.hostKey ?? generateHostKey();
    this.#hostKey = hostKey;
    this.session = new Session({ room, self: seat.self, life: 0 }, this.#media, channel, { removed: () => undefined, ended: () => undefined }, {
      hostKey: { publicKey: hostKey.publicKey, sign: (m) => Promise.resolve(signHostStatement(hostKey, m)) },
    });
    this.session.changes.subscribe(() => this.#changed());
  }

  /** Create a room over HTTP, connect with the host credential and publish epoch 0. */
  static async createRoomAsHost(origin: string, name: string, options: MemberOptions = {}): Promise<ProtocolMember> {
    await sodiumReady();
    const identity = generateIdentity();
    const hostKey = generateHostKey();
    const created = await createRoomOverHttp(origin, identity, hostKey);
    const member = new ProtocolMember({ origin, roomId: created.roomId, fragment: created.fragment, name, self: { identity, roomKey: generateRoomKey() }, hostKey }, options);
    await member.session.host.start(name);
    await member.#connect(created.hostCredential, () => member.epoch !== null, 'the room at epoch 0');
    return member;
  }

  /** Connect with the link's access token and read the room's log; call knock() to ask in. */
  static async joinAsGuest(origin: string, roomId: string, fragment: LinkFragment, name: string, options: MemberOptions = {}): Promise<ProtocolMember> {
    await sodiumReady();
    const member = new ProtocolMember({ origin, roomId, fragment, name, self: { identity: generateIdentity(), roomKey: generateRoomKey() } }, options);
    await member.#connect(accessCredential(fragment), () => member.session.membership.synced, 'the answer to sync');
    return member;
  }

  get participantId(): string {
    if (this.#pid === null) throw new DriverError('closed', `${this.name} has no participant id: no welcome yet`);
    return this.#pid;
  }

  get state(): MemberState {
    return this.session.membership.state;
  }

  /** The epoch whose keys this member holds now; null unless it is a member. */
  get epoch(): number | null {
    return this.session.membership.epoch;
  }

  /** The signed member list of the chain head this member verified. */
  get members(): MemberInfo[] {
    return memberInfos(chainHead(this.state));
  }

  /** SFrame base keys (KID -> 32 bytes) of every epoch this member held, by epoch. */
  get keptKeys(): ReadonlyMap<number, Map<bigint, Uint8Array>> {
    return this.#media.byEpoch;
  }

  /** performance.now() at which this member had applied each epoch and derived its base keys. */
  get epochAppliedAt(): ReadonlyMap<number, number> {
    return this.#media.appliedAt;
  }

  get refusals(): readonly Refusal[] {
    return this.session.refusals;
  }

  /** Verified knocks waiting for the host: participant id -> join request. */
  get pendingKnocks(): ReadonlyMap<string, JoinRequest> {
    return new Map(this.session.host.knocks.map((k) => [k.id, k.admission.request]));
  }

  /** Knocks the host could not open or verify. */
  get droppedKnocks(): DroppedKnock[] {
    return this.session.host.droppedLog.map((d) => ({ from: d.from, reason: d.reason as Reason }));
  }

  /** Ask to join: sent as soon as the host's room key is verified from the log. */
  async knock(timeoutMs = this.#timeoutMs): Promise<void> {
    await this.waitFor(() => this.session.membership.hostKnown, "the host's room key", timeoutMs);
    this.session.knock(this.name);
  }

  /** Host: admit these knocking participants in one commit. Resolves with the commit's epoch. */
  admit(participantIds: readonly string[]): Promise<number> {
    const pending = this.pendingKnocks;
    for (const id of participantIds) if (!pending.has(id)) throw new DriverError('no-knock', `${this.name} holds no verified knock from ${id}`);
    return this.#hostDid(() => this.session.host.admit(participantIds));
  }

  /** Host: admit every verified knock waiting. Returns the commit's epoch. */
  admitAll(): Promise<number> {
    return this.admit([...this.pendingKnocks.keys()]);
  }

  /** Host: remove these members (the server closes them with 4403) and rekey. Returns the epoch. */
  remove(participantIds: readonly string[]): Promise<number> {
    return this.#hostDid(() => this.session.host.remove(participantIds));
  }

  /** Host: resolves once at least `count` verified knocks are pending. */
  waitForKnocks(count: number, timeoutMs = this.#timeoutMs): Promise<void> {
    return this.waitFor(() => this.session.host.knocks.length >= count, `${count} pending knocks`, timeoutMs);
  }

  waitFor(test: () => boolean, what: string, timeoutMs = this.#timeoutMs): Promise<void> {
    return this.#conditions.until(test, what, timeoutMs);
  }

  /** Resolves once this member holds epoch `epoch` (or a later one). */
  waitForEpoch(epoch: number, timeoutMs = this.#timeoutMs): Promise<void> {
    return this.waitFor(() => (this.epoch ?? -1) >= epoch, `epoch ${epoch}`, timeoutMs);
  }

  /** Resolves with the close code once the socket is closed. */
  async waitForClose(timeoutMs = this.#timeoutMs): Promise<number> {
    await this.waitFor(() => this.closeCode !== null, 'the socket to close', timeoutMs);
    return this.closeCode as number;
  }

  /** Leave for good: close with 1000, so the server reports this member `left` to the host. */
  leave(): Promise<void> {
    return this.#socket?.close(CloseCode.normal, 'left') ?? Promise.resolve();
  }

  /** Drop the connection the way a closed tab does (1001): the server keeps the seat for its grace period. */
  close(): Promise<void> {
    return this.#socket?.close(CloseCode.goingAway, 'driver closed') ?? Promise.resolve();
  }

  /** Run a host action of the core; its new epoch, or the typed reason crypto/ refused it with. */
  async #hostDid(action: () => Promise<unknown>): Promise<number> {
    if (!this.session.membership.isHost) throw new DriverError('not-host', `${this.name} is not the host (state ${this.state.kind})`);
    await action();
    if (this.session.problem !== undefined) throw new DriverError('commit-refused', `${this.name}: ${this.session.problemReason ?? ''} ${this.session.problem}`);
    return this.epoch as number;
  }

  async #connect(credential: string, ready: () => boolean, what: string): Promise<void> {
    this.#socket = new SignalingSocket(this.origin, this.roomId, credential, {
      message: (m) => this.#receive(m),
      invalid: (reason) => this.#conditions.end(`the server sent an invalid frame (${reason})`),
      close: (code) => {
        this.closeCode = code;
        this.#conditions.end(`the socket closed with ${code}`);
      },
    });
    try {
      await this.#socket.opened;
      await this.waitFor(ready, what);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  #send(message: ClientMessage): boolean {
    if (this.#socket === null || !this.#socket.isOpen) return false;
    this.#socket.send(message);
    return true;
  }

  #receive(m: ServerMessage): void {
    switch (m.type) {
      case 'challenge':
        this.#socket?.send({ v: PROTOCOL_VERSION, type: 'prove', signature: toBase64Url(signHostStatement(this.#hostKey, hostProofMessage(roomIdBytes(this.roomId), fromBase64Url(m.nonce)))) });
        break;
      case 'welcome':
        this.#pid = m.participantId;
        this.role = m.role;
        this.session.welcomed(m.participantId);
        break;
      case 'admitted':
        this.role = 'member';
        break;
      case 'error':
        this.serverErrors.push(m);
        break;
      default:
        this.session.receive(m);
    }
    this.#conditions.check();
  }

  #changed(): void {
    if (this.#autoAdmit && !this.#admitScheduled && this.session.host.knocks.length > 0) {
      // Knocks read in the same turn of the event loop go into one commit.
      this.#admitScheduled = true;
      setImmediate(async () => {
        this.#admitScheduled = false;
        if (this.session.host.knocks.length === 0 || !this.session.membership.isHost) return;
        await this.session.host.admit(this.session.host.knocks.map((k) => k.id));
        if (this.session.problemReason !== undefined) this.failedAutoAdmits.push(this.session.problemReason);
        this.#conditions.check();
      });
    }
    this.#conditions.check();
  }

  #summary(): string {
    const refused = this.refusals.map((r) => r.reason).join(',') || 'none';
    return `state ${this.state.kind}, epoch ${this.epoch ?? '-'}, ${this.members.length} members, refusals ${refused}, ${this.session.host.knocks.length} knocks pending, close ${this.closeCode ?? '-'}`;
  }
}
