// Binds the pure room state to live sockets: attaches accepted connections, parses each text
// frame at the boundary, runs the room's handler and applies the effects it returns (sends,
// closes, LiveKit grants, best-effort SFU calls). Also owns the heartbeat. A change that must
// survive this process is written to the room store first (server/owner.ts): its effects are
// applied once the write has landed, in the order the changes were made.
import type { RawData, WebSocket } from 'ws';
import { CloseCode, ErrorCode, PROTOCOL_VERSION, parseClientMessage, type ClientMessageType, type ServerMessage } from '../protocol/protocol';
import { HOST_PROOF_TIMEOUT_MS, MAX_INVALID_IN_A_ROW } from '../protocol/limits';
import { toBase64Url } from '../crypto/index';
import { type ClientAddress, UNKNOWN_ADDRESS } from './address';
import { checkHostProof, newNonce } from './host-authority';
import { Connection } from './connection';
import type { Effect } from './effects';
import type { Logger } from './log';
import type { Owner } from './owner';
import type { Auth, Room } from './room';
import { HOST_ONLY, handleMessage } from './room-messages';
import type { Rooms } from './rooms';
import type { GrantIssuer, SfuAdmin } from './tokens';

export interface HubDeps {
  readonly rooms: Rooms;
  readonly issuer: GrantIssuer | null;
  readonly sfu: SfuAdmin;
  readonly log: Logger;
  readonly now: () => number;
  readonly heartbeatMs: number;
  readonly hostProofTimeoutMs?: number;
}

const TERMINATE_AFTER_CLOSE_MS = 1000;

/** Messages whose change must be stored before anyone hears of it; the rest change nothing that outlives a socket. */
const DURABLE: ReadonlySet<ClientMessageType> = new Set(['admit', 'deny', 'remove', 'lock', 'end', 'clear-lobby', 'commit', 'host-key']);

function errorMessage(code: ErrorCode, message: string, ref?: string): ServerMessage {
  return { v: PROTOCOL_VERSION, type: 'error', code, message, ...(ref !== undefined ? { ref } : {}) };
}

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

export class Hub {
  /** roomId -> participantId -> its current connection. */
  private readonly live = new Map<string, Map<string, Connection>>();

  /** Set once, right after construction (server/app.ts): the owner and the hub refer to each other. */
  private ownerRef: Owner | undefined;

  constructor(private readonly deps: HubDeps) {}

  setOwner(owner: Owner): void {
    this.ownerRef = owner;
  }

  private get owner(): Owner {
    if (this.ownerRef === undefined) throw new Error('the hub has no owner');
    return this.ownerRef;
  }

  /** The room was unloaded here (server/owner.ts): its sockets reconnect and resume wherever it is now. */
  lost(room: Room): void {
    const peers = this.live.get(room.id);
    this.live.delete(room.id);
    for (const conn of peers?.values() ?? []) conn.close(CloseCode.tryAgain, 'the room moved; reconnect');
  }

  connections(): Connection[] {
    return [...this.live.values()].flatMap((m) => [...m.values()]);
  }

  attach(room: Room, auth: Auth, ws: WebSocket, address: ClientAddress = UNKNOWN_ADDRESS): void {
    const { log } = this.deps;
    ws.on('error', () => undefined); // 'close' follows and does the bookkeeping
    if (auth.kind === 'revoked') {
      log.info('ws.revoked', { room: room.id, code: auth.code });
      for (const proof of room.revocationProof(auth)) ws.send(JSON.stringify(proof));
      ws.close(auth.code, auth.code === CloseCode.removed ? 'removed by the host' : 'denied by the host');
      return;
    }
    if (this.deps.rooms.get(room.id) !== room) {
      ws.close(CloseCode.roomEnded, 'the room ended');
      return;
    }
    if (room.needsProof(auth)) this.challenge(room, auth, ws, address);
    else this.admit(room, auth, ws, address);
  }

  /**
   * A connection that would hold the host role first signs a fresh nonce with the room's host key.
   * Until it has, it is nobody: it replaces no connection and receives nothing else. A wrong or
   * missing answer closes it with 4407 (server/host-authority.ts).
   */
  private challenge(room: Room, auth: Exclude<Auth, { kind: 'revoked' }>, ws: WebSocket, address: ClientAddress): void {
    const nonce = newNonce();
    const refuse = (why: string) => {
      this.deps.log.info('ws.unproven', { room: room.id, why });
      if (ws.readyState === ws.OPEN) ws.close(CloseCode.unproven, 'the room host key did not sign the challenge');
    };
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      refuse('timeout');
    }, this.deps.hostProofTimeoutMs ?? HOST_PROOF_TIMEOUT_MS);
    timer.unref();
    const onMessage = (data: RawData, isBinary: boolean) => {
      ws.off('message', onMessage);
      clearTimeout(timer);
      const parsed = isBinary ? null : parseClientMessage(text(data));
      if (parsed === null || !parsed.ok || parsed.message.type !== 'prove') return refuse('not a proof');
      if (this.deps.rooms.get(room.id) !== room) return void ws.close(CloseCode.roomEnded, 'the room ended');
      if (!checkHostProof(room.hostKey, room.id, nonce, parsed.message.signature)) return refuse('bad signature');
      // The role may have moved while the proof was on its way (a hand-over): connect as what it is now.
      this.admit(room, auth, ws, address);
    };
    ws.on('message', onMessage);
    ws.once('close', () => clearTimeout(timer));
    ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'challenge', nonce: toBase64Url(nonce) } satisfies ServerMessage));
  }

  private admit(room: Room, auth: Exclude<Auth, { kind: 'revoked' }>, ws: WebSocket, address: ClientAddress): void {
    const { log, now } = this.deps;
    const connected = room.connect(auth, now(), this.deps.heartbeatMs, address);
    if (connected === null) {
      ws.close(1008, 'credential already used');
      return;
    }
    const pid = connected.participantId;
    const conn = new Connection(ws, room.id, pid, now(), (c) => {
      log.warn('ws.overflow', { room: room.id, participant: c.participantId });
      c.terminate();
    });
    // Until the new resume token is stored, the socket is nobody's: no welcome, no replacement.
    let attached = false;
    let closedEarly: number | undefined;
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data, isBinary) => this.receive(room, conn, data, isBinary));
    ws.on('close', (code) => (attached ? this.detach(room, conn, code) : (closedEarly = code)));
    this.owner.write(room, undefined, () => {
      attached = true;
      const peers = this.live.get(room.id) ?? new Map<string, Connection>();
      this.live.set(room.id, peers);
      const old = peers.get(pid);
      peers.set(pid, conn);
      if (old) {
        log.info('ws.replaced', { room: room.id, participant: pid });
        old.close(CloseCode.replaced, 'resumed on another connection');
      }
      log.info('ws.open', { room: room.id, participant: pid, role: connected.role, via: auth.kind });
      conn.send(connected.welcome);
      this.apply(room, connected.effects);
      if (closedEarly !== undefined) this.detach(room, conn, closedEarly);
    });
  }

  /** An answer to one connection, after the room's pending writes (so never before its welcome). */
  private reply(room: Room, conn: Connection, message: ServerMessage): void {
    this.owner.after(room, () => conn.send(message));
  }

  private receive(room: Room, conn: Connection, data: RawData, isBinary: boolean): void {
    if (conn.closing) return;
    if (isBinary) {
      this.owner.after(room, () => conn.close(CloseCode.protocolViolation, 'binary frames are not part of the protocol'));
      return;
    }
    const parsed = parseClientMessage(text(data));
    // The host's membership messages have their own, larger budget: a commit the server drops would
    // fork the host's chain from the room's log, and only the host can hurt its own room with them.
    const hostMembership = parsed.ok && HOST_ONLY.has(parsed.message.type) && room.participants.get(conn.participantId)?.role === 'host';
    if (!(hostMembership ? conn.hostBucket : conn.bucket).take(this.deps.now())) {
      this.reply(room, conn, errorMessage(ErrorCode.rateLimited, 'too many messages; slow down', parsed.ok ? parsed.message.type : undefined));
      return;
    }
    if (parsed.ok && parsed.message.type === 'sync' && !conn.syncBucket.take(this.deps.now())) {
      this.reply(room, conn, errorMessage(ErrorCode.rateLimited, 'too many sync requests; slow down', 'sync'));
      return;
    }
    if (!parsed.ok) {
      conn.invalidInARow++;
      this.reply(room, conn, errorMessage(parsed.code, parsed.message, parsed.ref));
      if (conn.invalidInARow >= MAX_INVALID_IN_A_ROW) {
        this.deps.log.info('ws.violation', { room: room.id, participant: conn.participantId });
        this.owner.after(room, () => conn.close(CloseCode.protocolViolation, `${MAX_INVALID_IN_A_ROW} invalid messages in a row`));
      }
      return;
    }
    conn.invalidInARow = 0;
    const message = parsed.message;
    if (message.type === 'admit' && this.deps.issuer === null && room.participants.get(conn.participantId)?.role === 'host') {
      this.reply(room, conn, errorMessage(ErrorCode.internal, 'this server has no LiveKit configured, so it cannot admit anyone', message.type));
      return;
    }
    const before = room.log.lastEpoch;
    const effects = handleMessage(room, conn.participantId, message, this.deps.now());
    const flush = () => this.apply(room, effects);
    if (!DURABLE.has(message.type)) return this.owner.after(room, flush);
    const appended = message.type === 'commit' && room.log.lastEpoch !== before;
    this.owner.write(room, appended ? { epoch: message.epoch, commit: message.commit, envelopes: message.envelopes } : undefined, flush);
  }

  private detach(room: Room, conn: Connection, code: number): void {
    this.deps.log.info('ws.close', { room: room.id, participant: conn.participantId, code });
    const peers = this.live.get(room.id);
    if (!peers || peers.get(conn.participantId) !== conn) return; // replaced, or the room is gone
    peers.delete(conn.participantId);
    if (peers.size === 0) this.live.delete(room.id);
    if (this.deps.rooms.get(room.id) !== room) return;
    const effects = room.disconnect(conn.participantId, code === CloseCode.normal, this.deps.now());
    this.owner.write(room, undefined, () => this.apply(room, effects));
  }

  apply(room: Room, effects: readonly Effect[]): void {
    const { issuer, sfu, log } = this.deps;
    const peer = (id: string) => this.live.get(room.id)?.get(id);
    // A relay to all is one message object sent to many: serialize it once, not once per recipient.
    const encoded = new Map<ServerMessage, string>();
    const encode = (message: ServerMessage): string => {
      let text = encoded.get(message);
      if (text === undefined) encoded.set(message, (text = JSON.stringify(message)));
      return text;
    };
    for (const e of effects) {
      switch (e.kind) {
        case 'send':
          peer(e.to)?.sendEncoded(encode(e.message));
          break;
        case 'grant': {
          const conn = peer(e.to);
          if (!conn) break;
          if (issuer === null) {
            conn.send(errorMessage(ErrorCode.internal, 'this server has no LiveKit configured', e.as === 'token' ? 'token' : undefined));
            break;
          }
          const as = e.as;
          conn.sendLater(
            issuer.issue(room.id, e.to).then(
              (livekit): ServerMessage => (as === 'admitted' ? { v: PROTOCOL_VERSION, type: 'admitted', livekit } : { v: PROTOCOL_VERSION, type: 'token', livekit }),
              (err: unknown): ServerMessage => {
                log.warn('grant.failed', { room: room.id, participant: e.to, error: err instanceof Error ? err.name : 'unknown' });
                return errorMessage(ErrorCode.internal, 'could not mint a LiveKit token');
              },
            ),
          );
          if (as === 'admitted') log.info('room.admitted', { room: room.id, participant: e.to });
          break;
        }
        case 'close':
          log.info('ws.closing', { room: room.id, participant: e.to, code: e.code });
          peer(e.to)?.close(e.code, e.reason);
          break;
        case 'sfu-remove':
          void sfu.removeParticipant(room.id, e.participantId);
          break;
        case 'ended':
          this.deps.rooms.delete(room.id);
          log.info('room.ended', { room: room.id });
          void sfu.deleteRoom(room.id);
          break;
      }
    }
  }

  /** One heartbeat round: close sockets that missed the last ping, ping the rest. */
  heartbeat(): void {
    for (const conn of this.connections()) {
      if (!conn.alive) {
        this.deps.log.info('ws.heartbeat-timeout', { room: conn.roomId, participant: conn.participantId });
        conn.close(CloseCode.heartbeatTimeout, 'no heartbeat answer');
        setTimeout(() => conn.terminate(), TERMINATE_AFTER_CLOSE_MS).unref();
        continue;
      }
      conn.alive = false;
      if (conn.ws.readyState === conn.ws.OPEN) conn.ws.ping();
    }
  }

  /** Close every connection (server shutdown). */
  closeAll(code: CloseCode, reason: string): void {
    for (const conn of this.connections()) conn.close(code, reason);
  }
}
