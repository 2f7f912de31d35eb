// The part of a driver participant every role shares: one signaling socket, the real crypto/
// state machine fed with relayed commits and sync answers, and what it records for tests and
// benches (refused commits with typed reasons, the SFrame base keys of every epoch it held and
// when it derived them, the server's errors), plus the waits over all of that.
//
// Sync rule: after `welcome`, and after a relayed commit refused as a `gap`, the member asks for
// the log. A `commit` arriving while that answer is pending is not applied: the server logs a
// commit before it relays it, so the answer holds it too.
import {
  Reason,
  type LinkFragment,
  roomIdBytes,
  type InRoomState,
  type MemberEvent,
  type MemberState,
  type RoomContext,
  type SelfKeys,
  chainHead,
  currentBaseKeys,
  isHost,
  lobby,
  roomContext,
  transition,
} from '../../crypto/index';
import { CloseCode, PROTOCOL_VERSION, type ClientMessage, type Role, type ServerMessage } from '../../protocol/protocol';
import { Conditions } from './conditions';
import { DriverError } from './errors';
import { type LoggedCommit, incoming } from './messages';
import { type MemberInfo, type Refusal, memberInfos } from './records';
import { SignalingSocket } from './socket';

export type ServerError = Extract<ServerMessage, { type: 'error' }>;

export const DEFAULT_TIMEOUT_MS = 5000;

/** Who this participant is: the room it joins, by link, and its own keys and name. */
export interface Seat {
  readonly origin: string;
  readonly roomId: string;
  readonly fragment: LinkFragment;
  readonly name: string;
  readonly self: SelfKeys;
}

export abstract class MemberCore {
  readonly origin: string;
  readonly roomId: string;
  readonly fragment: LinkFragment;
  readonly name: string;
  readonly self: SelfKeys;
  readonly room: RoomContext;
  /** SFrame base keys (KID -> 32 bytes) of every epoch this member held, by epoch. */
  readonly keptKeys = new Map<number, Map<bigint, Uint8Array>>();
  /** performance.now() at which this member had applied each epoch and derived its base keys. */
  readonly epochAppliedAt = new Map<number, number>();
  readonly refusals: Refusal[] = [];
  readonly serverErrors: ServerError[] = [];
  /** The server's role for this participant (from welcome, then `admitted`). */
  role: Role | null = null;
  closeCode: number | null = null;
  protected current: MemberState;
  protected synced = false;
  private pid: string | null = null;
  private socket: SignalingSocket | null = null;
  private syncing = false;
  private readonly conditions: Conditions;

  protected constructor(
    seat: Seat,
    protected readonly timeoutMs: number,
  ) {
    ({ origin: this.origin, roomId: this.roomId, fragment: this.fragment, name: this.name, self: this.self } = seat);
    this.room = roomContext(roomIdBytes(seat.roomId), seat.fragment);
    this.current = lobby(this.room, seat.self);
    this.conditions = new Conditions(seat.name, () => this.summary());
  }

  get participantId(): string {
    if (this.pid === null) throw new DriverError('closed', `${this.name} has no participant id: no welcome yet`);
    return this.pid;
  }

  get state(): MemberState {
    return this.current;
  }

  /** The epoch whose keys this member holds now; null unless it is a member. */
  get epoch(): number | null {
    return this.current.kind === 'member' ? this.current.epoch : null;
  }

  /** The signed member list of the chain head this member verified. */
  get members(): MemberInfo[] {
    return memberInfos(chainHead(this.current));
  }

  /** Leave for good: close with 1000, so the server reports this member `left` to the host. */
  leave(): Promise<void> {
    return this.socket?.close(CloseCode.normal, 'left') ?? Promise.resolve();
  }

  /** Drop the connection the way a closed tab does (1001): the server keeps the seat for its grace period. */
  close(): Promise<void> {
    return this.socket?.close(CloseCode.goingAway, 'driver closed') ?? Promise.resolve();
  }

  waitFor(test: () => boolean, what: string, timeoutMs = this.timeoutMs): Promise<void> {
    return this.conditions.until(test, what, timeoutMs);
  }

  /** Resolves once this member holds epoch `epoch` (or a later one). */
  waitForEpoch(epoch: number, timeoutMs = this.timeoutMs): Promise<void> {
    return this.waitFor(() => (this.epoch ?? -1) >= epoch, `epoch ${epoch}`, timeoutMs);
  }

  /** Resolves with the close code once the socket is closed. */
  async waitForClose(timeoutMs = this.timeoutMs): Promise<number> {
    await this.waitFor(() => this.closeCode !== null, 'the socket to close', timeoutMs);
    return this.closeCode as number;
  }

  // --- for the roles ---------------------------------------------------------------------------

  /** A lobby guest's knock reached the host. */
  protected abstract onKnock(from: string, payload: string): void;
  /** Admitted members are gone for good. */
  protected abstract onLeft(participantIds: readonly string[]): void;
  /** The first sync answer was empty: there is no epoch 0 yet. */
  protected abstract onEmptyLog(): void;

  /** Open the socket with `credential` and wait until `ready()` holds. */
  protected async connect(credential: string, ready: () => boolean, what: string): Promise<void> {
    // Assigned before the upgrade completes, so the welcome handler can already answer.
    this.socket = new SignalingSocket(this.origin, this.roomId, credential, {
      message: (m) => this.receive(m),
      invalid: (reason) => this.conditions.end(`the server sent an invalid frame (${reason})`),
      close: (code) => {
        this.closeCode = code;
        this.conditions.end(`the socket closed with ${code}`);
      },
    });
    try {
      await this.socket.opened;
      await this.waitFor(ready, what);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  protected get isOpen(): boolean {
    return this.socket?.isOpen === true;
  }

  protected send(message: ClientMessage): void {
    if (this.socket === null) throw new DriverError('closed', `${this.name} is not connected`);
    this.socket.send(message);
  }

  /** Take a state this member produced itself (a host commit) or accepted. */
  protected adopt(state: MemberState): void {
    this.current = state;
    if (state.kind !== 'member' || this.keptKeys.has(state.epoch)) return;
    this.keptKeys.set(state.epoch, currentBaseKeys(state));
    this.epochAppliedAt.set(state.epoch, performance.now());
  }

  protected requireHost(): InRoomState {
    if (!isHost(this.current)) throw new DriverError('not-host', `${this.name} is not the host (state ${this.current.kind})`);
    return this.current;
  }

  /** Re-run every pending wait (after a change made outside a message handler). */
  protected recheck(): void {
    this.conditions.check();
  }

  // --- internals -------------------------------------------------------------------------------

  private receive(m: ServerMessage): void {
    switch (m.type) {
      case 'welcome':
        this.pid = m.participantId;
        this.role = m.role;
        this.sync();
        break;
      case 'commits':
        this.onCommits(m.commits);
        break;
      case 'commit':
        if (!this.syncing) this.apply({ type: 'commit', ...incoming(m) }, 'commit', m.epoch);
        break;
      case 'knock':
        this.onKnock(m.from, m.payload);
        break;
      case 'admitted':
        this.role = 'member';
        break;
      case 'left':
        this.onLeft(m.participants);
        break;
      case 'error':
        this.serverErrors.push(m);
        break;
      default:
        break; // presence, relay, ack, locked, host, token: nothing the driver acts on
    }
    this.conditions.check();
  }

  private onCommits(commits: readonly LoggedCommit[]): void {
    this.syncing = false;
    const first = !this.synced;
    this.synced = true;
    const last = commits[commits.length - 1];
    if (last !== undefined) this.apply({ type: 'log', commits: commits.map(incoming) }, 'log', last.epoch);
    else if (first && chainHead(this.current) === null) this.onEmptyLog();
  }

  private apply(event: MemberEvent, source: Refusal['source'], epoch: number): void {
    const result = transition(this.current, event);
    if (result.error === undefined) {
      this.adopt(result.state);
      return;
    }
    this.refusals.push({ source, epoch, reason: result.error.reason, message: result.error.message });
    // A relayed commit skipped an epoch: read the log once. A log with a gap is not asked for again.
    if (source === 'commit' && result.error.reason === Reason.gap) this.sync();
  }

  private sync(): void {
    const head = chainHead(this.current);
    this.syncing = true;
    this.send(head === null ? { v: PROTOCOL_VERSION, type: 'sync' } : { v: PROTOCOL_VERSION, type: 'sync', afterEpoch: head.epoch });
  }

  /** What this member holds, for wait failures. */
  protected summary(): string {
    const refused = this.refusals.map((r) => r.reason).join(',') || 'none';
    return `state ${this.current.kind}, epoch ${this.epoch ?? '-'}, ${this.members.length} members, refusals ${refused}, close ${this.closeCode ?? '-'}`;
  }
}
