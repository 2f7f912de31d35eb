// Sealroom client <-> signaling-server protocol. One file, imported by both sides.
//
// Transport: WebSocket at `/ws/<roomId>`, text frames of JSON, one message per frame.
// The client offers two subprotocols: `sealroom.v<PROTOCOL_VERSION>` and `auth.<credential>`
// (see `wsSubprotocols`). The server authenticates in the HTTP upgrade and echoes only the
// first, so no credential is ever sent in a URL.
//
// Everything the server must not read travels as `Opaque`: base64url of bytes sealed by the
// clients (join requests, commits, epoch-secret envelopes, chat, mute state). The server
// routes and stores those bytes; it never parses them.
//
// Every message carries `v`. Messages are parsed once, at the boundary, with `parseClientMessage`
// / `parseServerMessage`; the rest of the code uses the inferred types.
import { z } from 'zod';
import { MAX_DEPARTED, MAX_KNOCK_CHARS, MAX_LOBBY, MAX_LOBBY_RECORD_CHARS, MAX_MEMBERS, MAX_MESSAGE_BYTES } from './limits';

export const PROTOCOL_VERSION = 1 as const;

// The wire's limits (protocol/limits.ts), re-exported for both sides.
export { MAX_LOBBY, MAX_MEMBERS, MAX_MESSAGE_BYTES, WS_MAX_FRAME_BYTES } from './limits';

/** Close codes the server uses. Documented in SECURITY.md and README.md. */
export const CloseCode = {
  /** Normal end of a session (client left). */
  normal: 1000,
  /** Server is shutting down; the client may reconnect elsewhere. */
  goingAway: 1001,
  /** The room moved to another server node (its lease was lost there); reconnect and resume. */
  tryAgain: 1013,
  /** A frame larger than WS_MAX_FRAME_BYTES (set by the ws library). */
  tooBig: 1009,
  /** Protocol violation: binary frame, or too many invalid messages in a row. */
  protocolViolation: 4400,
  /** The host removed this participant. */
  removed: 4403,
  /** The room ended (host ended it, or it expired). */
  roomEnded: 4410,
  /** Another connection resumed this participant's session. */
  replaced: 4409,
  /** The host denied this knock. */
  denied: 4401,
  /** No heartbeat answer. */
  heartbeatTimeout: 4408,
  /** A host connection did not sign its challenge with the room's host key (in time, or at all). */
  unproven: 4407,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Typed reasons carried by `error` messages and HTTP error bodies. */
export const ErrorCode = {
  badJson: 'bad-json',
  badMessage: 'bad-message',
  unknownType: 'unknown-type',
  unsupportedVersion: 'unsupported-version',
  tooLarge: 'too-large',
  notAllowed: 'not-allowed',
  notAdmitted: 'not-admitted',
  unknownParticipant: 'unknown-participant',
  unknownRoom: 'unknown-room',
  badCredential: 'bad-credential',
  roomFull: 'room-full',
  roomLocked: 'room-locked',
  lobbyFull: 'lobby-full',
  hostAbsent: 'host-absent',
  staleEpoch: 'stale-epoch',
  /** A commit that skips epochs: only the next one is stored (a junk epoch 2^53 - 1 would block every later one). */
  epochGap: 'epoch-gap',
  /** The server holds as many rooms, or as many bytes, as its budget allows (HTTP 503). */
  serverFull: 'server-full',
  /** A commit's hand-over was refused: the target is not a connected member, or the statement does not verify. Nothing was stored. */
  handOverRefused: 'hand-over-refused',
  rateLimited: 'rate-limited',
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const errorCodes = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

// ---------------------------------------------------------------------------------------------
// Primitive field shapes

/** base64url without padding. */
const b64u = z.string().regex(/^[A-Za-z0-9_-]*$/, 'expected base64url');
/** Room ids: 128 random bits as 22 base64url characters. */
export const RoomId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'expected a 22-character room id');
/** Opaque participant ids minted by the server: 128 random bits. */
const ParticipantId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'expected a participant id');
/** Bearer credentials (host credential, access token, resume token): 256 bits. */
export const Credential = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'expected a 43-character credential');
/** An Ed25519 public key (per-room host key): 32 bytes as 43 base64url characters. */
const PublicKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'expected a 43-character public key');
/** An Ed25519 signature: 64 bytes as 86 base64url characters. */
const Signature = z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'expected an 86-character signature');
/** Client-sealed bytes the server must not read. */
const Opaque = b64u.max(Math.ceil((MAX_MESSAGE_BYTES * 4) / 3));
/** A sealed lobby record (crypto/lobby.ts). */
const SealedLobby = b64u.max(MAX_LOBBY_RECORD_CHARS);
const Epoch = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export type RoomId = z.infer<typeof RoomId>;
export type ParticipantId = z.infer<typeof ParticipantId>;

// ---------------------------------------------------------------------------------------------
// HTTP API

/** POST /api/rooms */
export const CreateRoomRequest = z
  .object({
    /** BLAKE2b-256 of the access token derived from the link secret (base64url). */
    accessVerifier: Credential,
    /** Room title, description and start time sealed with a key from the link secret. */
    info: Opaque.max(8192).optional(),
    /**
     * The room's per-room host key (Ed25519, not the identity key): a host connection must sign the
     * server's challenge with it (crypto/host-authority.ts), so the host credential alone is not enough.
     */
    hostKey: PublicKey,
  })
  .strict();
export const CreateRoomResponse = z.object({
  roomId: RoomId,
  /** Bearer credential that makes its holder the host. Returned once; the server keeps a hash. */
  hostCredential: Credential,
});
/** GET /api/rooms/:id (Authorization: Bearer <access token or host credential>) */
export const RoomStatusResponse = z.object({
  roomId: RoomId,
  info: Opaque.optional(),
  hostPresent: z.boolean(),
  locked: z.boolean(),
  full: z.boolean(),
});
export const HttpError = z.object({ error: z.enum(errorCodes), message: z.string() });

export type CreateRoomRequest = z.infer<typeof CreateRoomRequest>;
export type CreateRoomResponse = z.infer<typeof CreateRoomResponse>;
export type RoomStatusResponse = z.infer<typeof RoomStatusResponse>;
export type HttpError = z.infer<typeof HttpError>;

// ---------------------------------------------------------------------------------------------
// WebSocket: client -> server

const v = z.literal(PROTOCOL_VERSION);

/**
 * iceServers 'none': the embedded loopback LiveKit, use no ICE server; 'default': the ones LiveKit
 * hands out in its join response (STUN, its TURN). iceTransportPolicy 'relay' (only with 'default'):
 * media goes through those TURN relays only (LIVEKIT_FORCE_RELAY).
 */
export const LiveKitGrant = z.object({
  url: z.string().min(1),
  token: z.string().min(1),
  iceServers: z.literal('none').or(z.literal('default')),
  iceTransportPolicy: z.literal('relay').optional(),
});
export type LiveKitGrant = z.infer<typeof LiveKitGrant>;

export const ClientMessage = z.discriminatedUnion('type', [
  /** Guest -> host: sealed join request. Only while in the lobby. */
  z.object({ v, type: z.literal('knock'), payload: Opaque.max(MAX_KNOCK_CHARS) }).strict(),
  /** Host: admit lobby participants. The matching commit follows as `commit`. */
  z.object({ v, type: z.literal('admit'), participants: z.array(ParticipantId).min(1).max(MAX_LOBBY) }).strict(),
  /** Host: deny lobby participants. */
  z.object({ v, type: z.literal('deny'), participants: z.array(ParticipantId).min(1).max(MAX_LOBBY) }).strict(),
  /** Host: remove admitted members (server closes them and removes them from the SFU). */
  z.object({ v, type: z.literal('remove'), participants: z.array(ParticipantId).min(1).max(MAX_MEMBERS) }).strict(),
  /** Host: server-side lock flag (the signed commit carries the authoritative one). */
  z.object({ v, type: z.literal('lock'), locked: z.boolean() }).strict(),
  /** Host: end the room for everyone. */
  z.object({ v, type: z.literal('end') }).strict(),
  /** Host: refuse everyone in the lobby, knocked or not (each is closed with 4401). */
  z.object({ v, type: z.literal('clear-lobby') }).strict(),
  /**
   * Host: a signed commit and one sealed epoch-secret envelope per recipient.
   * The server stores it in the room's log and delivers each recipient its own envelope. With
   * `lobby` (at create and at each hand-over), the room's new lobby record: the server keeps the
   * latest and gives it to every participant, lobby included (crypto/lobby.ts).
   * With `handOver` (the commit hands the host role over), the server stores the commit and moves
   * the host role in one step, or does neither (`hand-over-refused`).
   */
  z
    .object({
      v,
      type: z.literal('commit'),
      epoch: Epoch,
      commit: Opaque,
      envelopes: z.record(ParticipantId, Opaque),
      lobby: SealedLobby.optional(),
      handOver: z
        .object({
          to: ParticipantId,
          /** The incoming host's per-room host key, as it registered it (`host-key`). */
          hostKey: PublicKey,
          /** The outgoing host key's signature of crypto/host-authority.ts handOverMessage. */
          signature: Signature,
        })
        .strict()
        .optional(),
    })
    .strict(),
  /** Answer to `challenge`: the room's host key's signature of hostProofMessage(room id, nonce). */
  z.object({ v, type: z.literal('prove'), signature: Signature }).strict(),
  /** Any participant: this page's per-room host key, in case the host role is handed to it. */
  z.object({ v, type: z.literal('host-key'), publicKey: PublicKey }).strict(),
  /** Member: ask for commits after `afterEpoch` (resync after a reconnect). */
  z.object({ v, type: z.literal('sync'), afterEpoch: Epoch.optional() }).strict(),
  /** Member: opaque application message (chat, mute state, confirmations) to one member or all. */
  z.object({ v, type: z.literal('relay'), to: ParticipantId.or(z.literal('all')), payload: Opaque, id: z.string().max(64).optional() }).strict(),
  /** Member: a fresh LiveKit token (they expire after a few minutes). */
  z.object({ v, type: z.literal('token') }).strict(),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageType = ClientMessage['type'];

// ---------------------------------------------------------------------------------------------
// WebSocket: server -> client

const Role = z.enum(['host', 'member', 'lobby']);
export type Role = z.infer<typeof Role>;

export const ServerMessage = z.discriminatedUnion('type', [
  /**
   * Before the welcome, to a connection that would hold the host role: sign this nonce with the
   * room's host key and answer `prove`. Nothing else happens on the connection until then.
   */
  z.object({ v, type: z.literal('challenge'), nonce: PublicKey }),
  /** First message after the upgrade. */
  z.object({
    v,
    type: z.literal('welcome'),
    participantId: ParticipantId,
    role: Role,
    /** Present a resume token in `auth.` on reconnect to keep the same participant id and role. */
    resumeToken: Credential,
    hostPresent: z.boolean(),
    locked: z.boolean(),
    members: z.array(ParticipantId),
    heartbeatMs: z.number().int().positive(),
  }),
  /** To the host: a knock from a lobby participant. */
  z.object({ v, type: z.literal('knock'), from: ParticipantId, payload: Opaque }),
  /** To a lobby participant: the host let you in. A `commit` with your envelope follows. */
  z.object({ v, type: z.literal('admitted'), livekit: LiveKitGrant }),
  /** A fresh LiveKit token, in answer to `token`. */
  z.object({ v, type: z.literal('token'), livekit: LiveKitGrant }),
  /** To admitted members: a commit relayed from the host, with the recipient's own envelope when it has one. */
  z.object({ v, type: z.literal('commit'), epoch: Epoch, commit: Opaque, envelope: Opaque.optional() }),
  /**
   * Answer to `sync`. To a lobby participant: only the lobby record. To a member: the lobby record,
   * then the newest commits the server keeps (at most MAX_LOG_COMMITS), each with the recipient's
   * envelope if any. In one or more parts; every part but the last says `more`, so a client acts
   * on the answer (a host commits, a guest knocks) only once it has read all of it.
   */
  z.object({
    v,
    type: z.literal('commits'),
    commits: z.array(z.object({ epoch: Epoch, commit: Opaque, envelope: Opaque.optional() })),
    lobby: SealedLobby.optional(),
    more: z.literal(true).optional(),
  }),
  /** The room's lobby record changed (a hand-over): to everyone connected but the host who made it. */
  z.object({ v, type: z.literal('lobby'), lobby: SealedLobby }),
  /** An opaque application message from another member. */
  z.object({ v, type: z.literal('relay'), from: ParticipantId, payload: Opaque, id: z.string().max(64).optional() }),
  /** Acknowledges a `relay` that carried an `id`, once the server has fanned it out. */
  z.object({ v, type: z.literal('ack'), id: z.string().max(64) }),
  /** Presence of admitted members and of the host (routing metadata only). */
  z.object({ v, type: z.literal('presence'), members: z.array(ParticipantId), host: ParticipantId.nullable(), lobby: z.number().int().min(0) }),
  /** The server-side lock flag changed. */
  z.object({ v, type: z.literal('locked'), locked: z.boolean() }),
  /**
   * To the host: admitted members who are gone for good (they closed with 1000, or stayed away
   * longer than the server's member grace). Sent when it happens and again each time the host
   * connects; the host commits a `leave` for each one still in its member list and ignores the rest.
   */
  z.object({ v, type: z.literal('left'), participants: z.array(ParticipantId).max(MAX_DEPARTED) }),
  /** You are now the host (a commit handed the role to you). */
  z.object({ v, type: z.literal('host'), hostCredential: Credential }),
  /** To the outgoing host: the server stored the hand-over commit of `epoch` and moved the host role. */
  z.object({ v, type: z.literal('handed-over'), epoch: Epoch, to: ParticipantId }),
  /** To the host: admitted members' per-room host keys, as each member's connection registered it. */
  z.object({ v, type: z.literal('host-keys'), keys: z.array(z.object({ participant: ParticipantId, publicKey: PublicKey })).max(MAX_MEMBERS) }),
  /** A typed error. `ref` names the message type it answers, when known. */
  z.object({ v, type: z.literal('error'), code: z.enum(errorCodes), message: z.string(), ref: z.string().optional() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type ServerMessageType = ServerMessage['type'];

// ---------------------------------------------------------------------------------------------
// Parsing at the boundary

export type Parsed<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; message: string; ref?: string };

const clientTypes = new Set<string>(ClientMessage.options.map((o) => o.shape.type.value));
const serverTypes = new Set<string>(ServerMessage.options.map((o) => o.shape.type.value));

function parseWith<T>(text: string, schema: z.ZodType<T>, known: Set<string>): Parsed<T> {
  if (text.length > MAX_MESSAGE_BYTES) {
    return { ok: false, code: ErrorCode.tooLarge, message: `message of ${text.length} bytes exceeds ${MAX_MESSAGE_BYTES}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.badJson, message: 'message is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: ErrorCode.badMessage, message: 'message must be a JSON object' };
  }
  const record = raw as Record<string, unknown>;
  const type = typeof record['type'] === 'string' ? record['type'] : undefined;
  const ref = type !== undefined && known.has(type) ? { ref: type } : {};
  if (record['v'] !== PROTOCOL_VERSION) {
    return { ok: false, code: ErrorCode.unsupportedVersion, message: `protocol version ${String(record['v'])} is not supported; this server speaks ${PROTOCOL_VERSION}`, ...ref };
  }
  if (type === undefined || !known.has(type)) {
    return { ok: false, code: ErrorCode.unknownType, message: `unknown message type ${JSON.stringify(type ?? null)}` };
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, code: ErrorCode.badMessage, message: `invalid ${type} message${where}: ${issue?.message ?? 'schema mismatch'}`, ref: type };
  }
  return { ok: true, message: result.data };
}

export function parseClientMessage(text: string): Parsed<ClientMessage> {
  return parseWith(text, ClientMessage, clientTypes);
}

export function parseServerMessage(text: string): Parsed<ServerMessage> {
  return parseWith(text, ServerMessage, serverTypes);
}

/** Subprotocol list a client offers: the version first, then its credential. */
export function wsSubprotocols(credential: string | undefined): string[] {
  const version = `sealroom.v${PROTOCOL_VERSION}`;
  return credential === undefined ? [version] : [version, `auth.${credential}`];
}

export const WS_VERSION_PROTOCOL = `sealroom.v${PROTOCOL_VERSION}`;
export const WS_AUTH_PREFIX = 'auth.';

/** Path of a room's WebSocket. */
export function wsPath(roomId: RoomId): string {
  return `/ws/${roomId}`;
}
