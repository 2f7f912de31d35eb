// One room's state, pure: participants, knocks, lock flag, commit log, host role, credentials
// (as hashes). No sockets and no timers: every change returns the sends as Effect data, and
// time comes in as `now` (ms). Message handling lives in server/room-messages.ts.
import { LOBBY_GRACE_MS, MAX_DEPARTED, MAX_REMOVAL_PROOF_COMMITS, MAX_LOBBY_PARTICIPANTS, MAX_LOBBY_PER_64, MAX_LOBBY_PER_ADDRESS, MAX_LOBBY_REMEMBERED, MAX_RESUME_TOKENS, MAX_TOMBSTONES, MEMBER_GRACE_MS, PARTICIPANT_OVERHEAD_BYTES, ROOM_OVERHEAD_BYTES } from '../protocol/limits';
import { CloseCode, MAX_MEMBERS, PROTOCOL_VERSION, type Role, type RoomStatusResponse, type ServerMessage } from '../protocol/protocol';
import { type ClientAddress, UNKNOWN_ADDRESS } from './address';
import { chunkCommits, CommitLog } from './commit-log';
import { toBase64Url } from '../crypto/index';
import { accessVerifierOf, hashCredential, newCredential, newId, sameHash } from './credentials';
import { send, type Effect } from './effects';


export interface Participant {
  readonly id: string;
  role: Role;
  connected: boolean;
  lastSeen: number;
  resumeHashes: Uint8Array[];
  /** Where its current (or last) connection came from: what lobby places are counted by. */
  address: ClientAddress;
  /** The per-room host key this participant's own connection registered (`host-key`), if any. */
  hostKey?: Uint8Array;
}

/** Who a credential presented at the upgrade is. */
export type Auth =
  | { readonly kind: 'host' }
  | { readonly kind: 'access' }
  | { readonly kind: 'resume'; readonly participantId: string; readonly hash: Uint8Array }
  | { readonly kind: 'revoked'; readonly code: CloseCode; readonly upTo?: number };

export interface Connected {
  readonly participantId: string;
  readonly role: Role;
  /** Always the first message on the connection. */
  readonly welcome: ServerMessage;
  readonly effects: Effect[];
}

/**
 * What of a room must outlive the process that serves it (server/room-record.ts encodes it for
 * the store): credentials as hashes, host authority, who is a member, and what the host was told.
 * Not in it: knocks and lobby places (they go with their sockets), addresses, and presence keys.
 */
export interface DurableRoom {
  readonly id: string;
  readonly info?: string;
  readonly hostCredentialHash: Uint8Array;
  readonly accessVerifier: Uint8Array;
  readonly hostKey: Uint8Array;
  readonly lastActive: number;
  readonly locked: boolean;
  readonly hostId: string | null;
  readonly lobbyRecord?: string;
  readonly participants: readonly { id: string; role: Role; connected: boolean; lastSeen: number; resumeHashes: readonly Uint8Array[]; hostKey?: Uint8Array }[];
  readonly tombstones: readonly { hash: Uint8Array; code: CloseCode; upTo?: number }[];
  readonly departed: readonly string[];
}

export interface RoomInit {
  readonly id: string;
  readonly hostCredentialHash: Uint8Array;
  readonly accessVerifier: Uint8Array;
  /** The room's per-room host key (Ed25519 public key, 32 bytes), registered at creation. */
  readonly hostKey: Uint8Array;
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
  /** The key a host connection must prove it holds; a hand-over commit moves it (server/host-authority.ts). */
  hostKey: Uint8Array;
  private hostCredentialHash: Uint8Array;
  /** Bytes of the commit log, recomputed after each append (see storedBytes). */
  private logBytes: number | undefined = 0;
  private readonly accessVerifier: Uint8Array;
  /** `upTo`: the epoch of the commit that removed its holder, sent with the 4403 as its proof. */
  private tombstones: { hash: Uint8Array; code: CloseCode; upTo?: number }[] = [];
  /** Admitted members gone for good, in order, until the host has been told (sent on each host connect). */
  private departed: string[] = [];
  private lastPresence = '';
  private lastLobbyPresence = '';

  constructor(init: RoomInit) {
    this.id = init.id;
    this.info = init.info;
    this.hostCredentialHash = init.hostCredentialHash;
    this.accessVerifier = init.accessVerifier;
    this.hostKey = init.hostKey;
    this.lastActive = init.now;
  }

  /** A snapshot of what must survive a restart; `connected` says who was connected when it was taken. */
  durable(): DurableRoom {
    return {
      id: this.id,
      ...(this.info !== undefined ? { info: this.info } : {}),
      hostCredentialHash: this.hostCredentialHash,
      accessVerifier: this.accessVerifier,
      hostKey: this.hostKey,
      lastActive: this.lastActive,
      locked: this.locked,
      hostId: this.hostId,
      ...(this.lobbyRecord !== undefined ? { lobbyRecord: this.lobbyRecord } : {}),
      participants: [...this.participants.values()].map((p) => ({ id: p.id, role: p.role, connected: p.connected, lastSeen: p.lastSeen, resumeHashes: [...p.resumeHashes], ...(p.hostKey !== undefined ? { hostKey: p.hostKey } : {}) })),
      tombstones: this.tombstones.map((t) => ({ ...t })),
      departed: [...this.departed],
    };
  }

  /**
   * A room as another process left it: nobody is connected here yet, so every participant starts
   * disconnected (away since `now`: a takeover does not eat into a member's grace period).
   * `asStored` keeps who was connected where the room is served, for reading its status only.
   */
  static restore(d: DurableRoom, commits: readonly { epoch: number; commit: string; envelopes: Record<string, string> }[], now: number, asStored = false): Room {
    const room = new Room({ id: d.id, hostCredentialHash: d.hostCredentialHash, accessVerifier: d.accessVerifier, hostKey: d.hostKey, ...(d.info !== undefined ? { info: d.info } : {}), now: d.lastActive });
    room.locked = d.locked;
    room.hostId = d.hostId;
    if (d.lobbyRecord !== undefined) room.lobbyRecord = d.lobbyRecord;
    for (const p of d.participants) {
      room.participants.set(p.id, { id: p.id, role: p.role, connected: asStored && p.connected, lastSeen: p.connected ? now : p.lastSeen, resumeHashes: [...p.resumeHashes], address: UNKNOWN_ADDRESS, ...(p.hostKey !== undefined ? { hostKey: p.hostKey } : {}) });
    }
    room.tombstones = d.tombstones.map((t) => ({ ...t }));
    room.departed = [...d.departed];
    for (const c of commits) room.appendCommit(c.epoch, c.commit, c.envelopes);
    return room;
  }

  /** Store a commit in the log (room-messages.ts has checked it). */
  appendCommit(epoch: number, commit: string, envelopes: Record<string, string>): void {
    this.log.append(epoch, commit, envelopes);
    this.logBytes = undefined;
  }

  /** What this room holds, for the server's memory budget: log, knocks, info, participants, and a fixed overhead. */
  storedBytes(): number {
    this.logBytes ??= this.log.after(undefined).reduce((n, e) => n + e.bytes, 0);
    let knocks = 0;
    for (const payload of this.knocks.values()) knocks += payload.length;
    return ROOM_OVERHEAD_BYTES + (this.info?.length ?? 0) + this.logBytes + knocks + this.participants.size * PARTICIPANT_OVERHEAD_BYTES;
  }

  /** A connection with this credential would hold the host role, so it must prove the host key first. */
  needsProof(auth: Exclude<Auth, { kind: 'revoked' }>): boolean {
    if (auth.kind === 'host') return true;
    return auth.kind === 'resume' && this.participants.get(auth.participantId)?.role === 'host';
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
    if (revoked) return { kind: 'revoked', code: revoked.code, ...(revoked.upTo !== undefined ? { upTo: revoked.upTo } : {}) };
    const verifier = accessVerifierOf(credential);
    if (verifier !== null && sameHash(verifier, this.accessVerifier)) return { kind: 'access' };
    return null;
  }

  /**
   * For `GET /api/rooms/:id`: the host credential, the link's access token, or a resume token. A
   * resume token's 200 or 403 is how a client whose resume upgrade was refused learns whether the
   * token still counts (a refused upgrade and a node that is down look alike to a browser). A
   * removed member's token also gets 200: its upgrade is accepted and closed with the removal.
   */
  acceptsBearer(credential: string): boolean {
    return this.authenticate(credential) !== null;
  }

  /** Replace the host credential (a hand-over); the old one stops working at once. */
  rotateHostCredential(): string {
    const credential = newCredential();
    this.hostCredentialHash = hashCredential(credential)!;
    return credential;
  }

  /**
   * Whether a new lobby socket from `address` gets a place: only connected lobby sockets hold one
   * (a closed one frees it at once), at most MAX_LOBBY_PARTICIPANTS in all and
   * MAX_LOBBY_PER_ADDRESS / MAX_LOBBY_PER_64 from one address or one /64.
   */
  canAcceptLobby(address: ClientAddress = UNKNOWN_ADDRESS): boolean {
    let all = 0;
    let same = 0;
    let net = 0;
    for (const p of this.participants.values()) {
      if (p.role !== 'lobby' || !p.connected) continue;
      all++;
      if (p.address.address === address.address) same++;
      if (p.address.net64 === address.net64) net++;
    }
    return all < MAX_LOBBY_PARTICIPANTS && same < MAX_LOBBY_PER_ADDRESS && net < MAX_LOBBY_PER_64;
  }

  /** Admitted members' registered host keys, for the host (it names one in a hand-over). */
  hostKeysTo(hostId: string): Effect[] {
    const keys = [...this.participants.values()].filter((p) => p.role === 'member' && p.hostKey !== undefined).map((p) => ({ participant: p.id, publicKey: toBase64Url(p.hostKey!) }));
    return keys.length === 0 ? [] : [send(hostId, { v: PROTOCOL_VERSION, type: 'host-keys', keys })];
  }

  // --- connections ---------------------------------------------------------------------------

  /** Attach a connection. Returns null if a resume token was used up in the meantime. */
  connect(auth: Exclude<Auth, { kind: 'revoked' }>, now: number, heartbeatMs: number, address: ClientAddress = UNKNOWN_ADDRESS): Connected | null {
    let p: Participant | undefined;
    if (auth.kind === 'host') {
      p = this.hostId !== null ? this.participants.get(this.hostId) : undefined;
      if (!p) p = this.addParticipant('host', now, address);
      this.hostId = p.id;
    } else if (auth.kind === 'access') {
      p = this.addParticipant('lobby', now, address);
      this.forgetOldLobby();
    } else {
      p = this.participants.get(auth.participantId);
      const index = p ? p.resumeHashes.findIndex((h) => sameHash(h, auth.hash)) : -1;
      if (!p || index < 0) return null;
      p.resumeHashes.splice(index, 1); // a resume token works once
    }
    p.connected = true;
    p.lastSeen = now;
    p.address = address;
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
    if (p.role === 'host') effects.push(...this.pendingKnocksTo(p.id), ...this.departuresTo(p.id), ...this.hostKeysTo(p.id));
    return { participantId: p.id, role: p.role, welcome, effects };
  }

  /** A connection closed. `leaving` (close 1000 from the client) forgets the participant. */
  disconnect(participantId: string, leaving: boolean, now: number): Effect[] {
    const p = this.participants.get(participantId);
    if (!p) return [];
    p.connected = false;
    p.lastSeen = now;
    this.lastActive = now;
    // A lobby socket's knock goes with it (a resumed one knocks again), so closed sockets hold no lobby place.
    if (p.role === 'lobby') this.knocks.delete(p.id);
    if (!leaving) return this.presence();
    this.forget(participantId);
    return [...(p.role === 'member' ? this.depart(p.id) : []), ...this.presence()];
  }

  /**
   * [D1] What a revoked resume token is sent before its close: for a removal, the last commits of
   * the log up to the one that removed it (a page believes 4403 only with that signed commit).
   */
  revocationProof(auth: Extract<Auth, { kind: 'revoked' }>): ServerMessage[] {
    if (auth.upTo === undefined) return [];
    const upTo = auth.upTo;
    const items = this.log
      .after(upTo - MAX_REMOVAL_PROOF_COMMITS)
      .filter((e) => e.epoch <= upTo)
      .map((e) => ({ epoch: e.epoch, commit: e.commit }));
    return items.length === 0 ? [] : chunkCommits(items);
  }

  /** Forget a participant; with `tombstone`, its resume tokens later close with that code (and send the proof up to `upTo`). */
  forget(participantId: string, tombstone?: CloseCode, upTo?: number): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    this.participants.delete(participantId);
    this.knocks.delete(participantId);
    if (this.hostId === participantId) this.hostId = null;
    if (tombstone !== undefined) {
      for (const hash of p.resumeHashes) this.tombstones.push({ hash, code: tombstone, ...(upTo !== undefined ? { upTo } : {}) });
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
   * presence only when one of those two changes: not when members come and go ([P1]).
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

  /** Beyond MAX_LOBBY_REMEMBERED lobby participants, forget the disconnected ones that left first. */
  private forgetOldLobby(): void {
    const away = [...this.participants.values()].filter((p) => p.role === 'lobby' && !p.connected).sort((a, b) => a.lastSeen - b.lastSeen);
    let excess = this.count('lobby') - MAX_LOBBY_REMEMBERED;
    for (const p of away) {
      if (excess-- <= 0) break;
      this.forget(p.id);
    }
  }

  private addParticipant(role: Role, now: number, address: ClientAddress): Participant {
    const p: Participant = { id: newId(), role, connected: false, lastSeen: now, resumeHashes: [], address };
    this.participants.set(p.id, p);
    return p;
  }
}
