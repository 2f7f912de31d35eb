// One room's state, pure: participants, knocks, lock flag, commit log, host role, credentials
// (as hashes). No sockets and no timers: every change returns the sends as Effect data, and
// time comes in as `now` (ms). Message handling lives in server/room-messages.ts.
import { LOBBY_GRACE_MS, MAX_DEPARTED, MAX_LOBBY_PARTICIPANTS, MAX_RESUME_TOKENS, MAX_TOMBSTONES, MEMBER_GRACE_MS } from '../protocol/limits';
import { CloseCode, MAX_MEMBERS, PROTOCOL_VERSION, type Role, type RoomStatusResponse, type ServerMessage } from '../protocol/protocol';
import { CommitLog } from './commit-log';
import { accessVerifierOf, hashCredential, newCredential, newId, sameHash } from './credentials';
import { send, type Effect } from './effects';


export interface Participant {
  readonly id: string;
  role: Role;
  connected: boolean;
  lastSeen: number;
  resumeHashes: Uint8Array[];
}

/** Who a credential presented at the upgrade is. */
export type Auth =
  | { readonly kind: 'host' }
  | { readonly kind: 'access' }
  | { readonly kind: 'resume'; readonly participantId: string; readonly hash: Uint8Array }
  | { readonly kind: 'revoked'; readonly code: CloseCode };

export interface Connected {
  readonly participantId: string;
  readonly role: Role;
  /** Always the first message on the connection. */
  readonly welcome: ServerMessage;
  readonly effects: Effect[];
}

export interface RoomInit {
  readonly id: string;
  readonly hostCredentialHash: Uint8Array;
  readonly accessVerifier: Uint8Array;
  readonly info?: string;
  readonly now: number;
}

export class Room {
  readonly id: string;
  readonly info: string | undefined;
  readonly participants = new Map<string, Participant>();
  /** Pending knocks in arrival order: lobby participant id -> sealed payload. */
  readonly knocks = new Map<string, string>();
  readonly log = new CommitLog();
  /** The latest sealed lobby record the host published (crypto/lobby.ts), opaque here. */
  lobbyRecord: string | undefined;
  locked = false;
  ended = false;
  lastActive: number;
  /** The participant holding the host role, connected or not. */
  hostId: string | null = null;
  private hostCredentialHash: Uint8Array;
  private readonly accessVerifier: Uint8Array;
  private tombstones: { hash: Uint8Array; code: CloseCode }[] = [];
  /** Admitted members gone for good, in order, until the host has been told (sent on each host connect). */
  private departed: string[] = [];
  private lastPresence = '';
  private lastLobbyPresence = '';

  constructor(init: RoomInit) {
    this.id = init.id;
    this.info = init.info;
    this.hostCredentialHash = init.hostCredentialHash;
    this.accessVerifier = init.accessVerifier;
    this.lastActive = init.now;
  }

  // --- credentials ---------------------------------------------------------------------------

  /** Classify a credential without changing anything. Every comparison is constant-time. */
  authenticate(credential: string): Auth | null {
    const hash = hashCredential(credential);
    if (hash === null) return null;
    if (sameHash(hash, this.hostCredentialHash)) return { kind: 'host' };
    for (const p of this.participants.values()) {
      if (p.resumeHashes.some((h) => sameHash(h, hash))) return { kind: 'resume', participantId: p.id, hash };
    }
    const revoked = this.tombstones.find((t) => sameHash(t.hash, hash));
    if (revoked) return { kind: 'revoked', code: revoked.code };
    const verifier = accessVerifierOf(credential);
    if (verifier !== null && sameHash(verifier, this.accessVerifier)) return { kind: 'access' };
    return null;
  }

  /** For `GET /api/rooms/:id`: the host credential or the link's access token. */
  acceptsBearer(credential: string): boolean {
    const kind = this.authenticate(credential)?.kind;
    return kind === 'host' || kind === 'access';
  }

  /** Replace the host credential (transfer-host); the old one stops working at once. */
  rotateHostCredential(): string {
    const credential = newCredential();
    this.hostCredentialHash = hashCredential(credential)!;
    return credential;
  }

  canAcceptLobby(): boolean {
    return this.count('lobby') < MAX_LOBBY_PARTICIPANTS;
  }

  // --- connections ---------------------------------------------------------------------------

  /** Attach a connection. Returns null if a resume token was used up in the meantime. */
  connect(auth: Exclude<Auth, { kind: 'revoked' }>, now: number, heartbeatMs: number): Connected | null {
    let p: Participant | undefined;
    if (auth.kind === 'host') {
      p = this.hostId !== null ? this.participants.get(this.hostId) : undefined;
      if (!p) p = this.addParticipant('host', now);
      this.hostId = p.id;
    } else if (auth.kind === 'access') {
      p = this.addParticipant('lobby', now);
    } else {
      p = this.participants.get(auth.participantId);
      const index = p ? p.resumeHashes.findIndex((h) => sameHash(h, auth.hash)) : -1;
      if (!p || index < 0) return null;
      p.resumeHashes.splice(index, 1); // a resume token works once
    }
    p.connected = true;
    p.lastSeen = now;
    this.lastActive = now;
    const resumeToken = newCredential();
    p.resumeHashes.push(hashCredential(resumeToken)!);
    if (p.resumeHashes.length > MAX_RESUME_TOKENS) p.resumeHashes.shift();

    const welcome: ServerMessage = {
      v: PROTOCOL_VERSION,
      type: 'welcome',
      participantId: p.id,
      role: p.role,
      resumeToken,
      hostPresent: this.hostConnected() !== null,
      locked: this.locked,
      members: p.role === 'lobby' ? [] : this.connectedAdmitted(),
      heartbeatMs,
    };
    const effects = this.presence(p.id);
    if (p.role === 'host') effects.push(...this.pendingKnocksTo(p.id), ...this.departuresTo(p.id));
    return { participantId: p.id, role: p.role, welcome, effects };
  }

  /** A connection closed. `leaving` (close 1000 from the client) forgets the participant. */
  disconnect(participantId: string, leaving: boolean, now: number): Effect[] {
    const p = this.participants.get(participantId);
    if (!p) return [];
    p.connected = false;
    p.lastSeen = now;
    this.lastActive = now;
    if (!leaving) return this.presence();
    this.forget(participantId);
    return [...(p.role === 'member' ? this.depart(p.id) : []), ...this.presence()];
  }

  /** Forget a participant; with `tombstone`, its resume tokens later close with that code. */
  forget(participantId: string, tombstone?: CloseCode): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    this.participants.delete(participantId);
    this.knocks.delete(participantId);
    if (this.hostId === participantId) this.hostId = null;
    if (tombstone !== undefined) {
      for (const hash of p.resumeHashes) this.tombstones.push({ hash, code: tombstone });
      if (this.tombstones.length > MAX_TOMBSTONES) this.tombstones.splice(0, this.tombstones.length - MAX_TOMBSTONES);
    }
  }

  /** Forget lobby participants away longer than LOBBY_GRACE_MS, and members away longer than MEMBER_GRACE_MS. */
  sweep(now: number): Effect[] {
    let changed = false;
    const effects: Effect[] = [];
    for (const p of [...this.participants.values()]) {
      if (p.connected) continue;
      if (p.role === 'lobby' && now - p.lastSeen > LOBBY_GRACE_MS) {
        this.forget(p.id);
        changed = true;
      } else if (p.role === 'member' && now - p.lastSeen > MEMBER_GRACE_MS) {
        this.forget(p.id);
        effects.push(...this.depart(p.id));
        changed = true;
      }
    }
    return changed ? [...effects, ...this.presence()] : effects;
  }

  /** Record that an admitted member is gone for good and tell the host, if connected. */
  private depart(participantId: string): Effect[] {
    this.departed.push(participantId);
    if (this.departed.length > MAX_DEPARTED) this.departed.splice(0, this.departed.length - MAX_DEPARTED);
    const host = this.hostConnected();
    return host === null ? [] : [send(host, { v: PROTOCOL_VERSION, type: 'left', participants: [participantId] })];
  }

  private departuresTo(hostId: string): Effect[] {
    return this.departed.length === 0 ? [] : [send(hostId, { v: PROTOCOL_VERSION, type: 'left', participants: [...this.departed] })];
  }

  isIdle(now: number, ttlMs: number): boolean {
    for (const p of this.participants.values()) if (p.connected) return false;
    return now - this.lastActive >= ttlMs;
  }

  // --- views ---------------------------------------------------------------------------------

  count(role: Role): number {
    let n = 0;
    for (const p of this.participants.values()) if (p.role === role) n++;
    return n;
  }

  /** Admitted participants (members and host), connected or not: what MAX_MEMBERS caps. */
  admittedCount(): number {
    return this.participants.size - this.count('lobby');
  }

  connectedAdmitted(): string[] {
    return [...this.participants.values()].filter((p) => p.connected && p.role !== 'lobby').map((p) => p.id);
  }

  connected(): Participant[] {
    return [...this.participants.values()].filter((p) => p.connected);
  }

  hostConnected(): string | null {
    const host = this.hostId !== null ? this.participants.get(this.hostId) : undefined;
    return host?.connected ? host.id : null;
  }

  status(): RoomStatusResponse {
    return {
      roomId: this.id,
      ...(this.info !== undefined ? { info: this.info } : {}),
      hostPresent: this.hostConnected() !== null,
      locked: this.locked,
      full: this.admittedCount() >= MAX_MEMBERS,
    };
  }

  /**
   * Presence to everyone connected when it changed; otherwise only to `newcomer`, if given.
   * `members` lists connected admitted participants, host included. Lobby participants get
   * `members: []`, learn only whether a host is there and how many knocks wait, and are sent
   * presence only when one of those two changes: not when members come and go ([L1]).
   */
  presence(newcomer?: string): Effect[] {
    const members = this.connectedAdmitted();
    const host = this.hostConnected();
    const lobby = this.knocks.size;
    const key = JSON.stringify([members, host, lobby]);
    const lobbyKey = JSON.stringify([host, lobby]);
    const changed = key !== this.lastPresence;
    const lobbyChanged = lobbyKey !== this.lastLobbyPresence;
    this.lastPresence = key;
    this.lastLobbyPresence = lobbyKey;
    const targets = this.connected().filter((p) => p.id === newcomer || (p.role === 'lobby' ? lobbyChanged : changed));
    return targets.map((p) => send(p.id, { v: PROTOCOL_VERSION, type: 'presence', members: p.role === 'lobby' ? [] : members, host, lobby }));
  }

  pendingKnocksTo(hostId: string): Effect[] {
    return [...this.knocks].map(([from, payload]) => send(hostId, { v: PROTOCOL_VERSION, type: 'knock', from, payload }));
  }

  private addParticipant(role: Role, now: number): Participant {
    const p: Participant = { id: newId(), role, connected: false, lastSeen: now, resumeHashes: [] };
    this.participants.set(p.id, p);
    return p;
  }
}
