// Magic numbers of the signaling protocol and of the server that speaks it: message sizes, room
// and lobby places, grace periods, what a room remembers, and message budgets, each documented,
// in one place. crypto/'s own limits are in crypto/limits.ts; where the two must agree (members
// per room) tests/unit/limits.test.ts ties them. protocol.ts re-exports the wire limits.

// --- Messages

/** Hard cap enforced by the WebSocket layer: a larger frame is a protocol violation (close 1009). */
export const WS_MAX_FRAME_BYTES = 64 * 1024;
/** Soft cap: a frame above this but within the hard cap gets a `too-large` error and stays open. */
export const MAX_MESSAGE_BYTES = 48 * 1024;
/**
 * A knock's sealed join request, base64url: the largest one (a name of MAX_NAME_BYTES) is about 630
 * characters (tests/unit/limits.test.ts), so 50 waiting knocks hold 100 KiB, not 50 × 48 KiB.
 */
export const MAX_KNOCK_CHARS = 2048;
/** Invalid messages in a row that make a protocol violation (close 4400). */
export const MAX_INVALID_IN_A_ROW = 10;
/** A peer that lets this much pile up unread is cut off rather than held in memory. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

// --- Message budgets (token buckets, per connection)

/** Every connection: 20 messages a second on average, bursts of up to 60. */
export const WS_MESSAGES_PER_SECOND = 20;
export const WS_MESSAGE_BURST = 60;
/** The host's membership messages: two per change (admit/remove + commit), 50 members admitted at once. */
export const HOST_MESSAGES_PER_SECOND = 100;
export const HOST_MESSAGE_BURST = 400;
/** `sync` requests per connection: one a second on average, bursts of 5 (each answer can be large). */
export const SYNCS_PER_SECOND = 1;
export const SYNC_BURST = 5;

// --- Places

/** Rooms hold at most this many admitted members, host included (crypto's MAX_ROOM_MEMBERS). */
export const MAX_MEMBERS = 50;
/** Knocks waiting for the host at once. */
export const MAX_LOBBY = 50;
/** Connected lobby sockets a room holds at once; a closed one frees its place at once. */
export const MAX_LOBBY_PARTICIPANTS = 2 * MAX_LOBBY;
/**
 * Connected lobby sockets of one room from one client address, and from one IPv6 /64 (a home or
 * an office; an address family rotates inside it for free). Large enough for a class behind one
 * NAT knocking at once; small enough that one address cannot fill a lobby (decision 0017).
 */
export const MAX_LOBBY_PER_ADDRESS = 20;
export const MAX_LOBBY_PER_64 = 20;
/** Disconnected lobby participants remembered per room (so a guest who reconnects keeps its knock). */
export const MAX_LOBBY_REMEMBERED = 2 * MAX_LOBBY_PARTICIPANTS;

// --- Grace periods

/** A disconnected lobby participant (and its knock) is forgotten after this long. */
export const LOBBY_GRACE_MS = 120_000;
/**
 * An admitted member away this long is gone for good: forgotten, and reported to the host in
 * `left` so it commits a `leave` and rekeys. Long enough for a reconnect; short enough that a
 * closed laptop does not keep a seat, and keys, in the room.
 */
export const MEMBER_GRACE_MS = 120_000;

// --- Rooms a server holds (server/rooms.ts, server/http.ts; decision 0017)

/** Rooms created per minute from one client address. */
export const ROOM_CREATES_PER_MINUTE_PER_ADDRESS = 30;
/** Rooms created per minute from one IPv6 /64 (IPv4 addresses count as their own /64). */
export const ROOM_CREATES_PER_MINUTE_PER_64 = 60;
/** Rooms a server holds at once; more are refused with 503 `server-full`. */
export const MAX_ROOMS = 10_000;
/**
 * What the server's rooms may hold in all, in bytes of stored text (commit logs, sealed room
 * info) plus ROOM_OVERHEAD_BYTES per room; a new room past it is refused with 503 `server-full`.
 */
export const MAX_STORED_BYTES = 512 * 1024 * 1024;
/** What the budget charges each room beyond its stored text: its state, ids and hashes (measured: ~1.5 KB; `npm run bench -- server`). */
export const ROOM_OVERHEAD_BYTES = 4096;
/** ... and each participant it remembers, lobby included (measured: ~3.2 KB). */
export const PARTICIPANT_OVERHEAD_BYTES = 4096;

// --- Room owners (server/owner.ts, server/room-store.ts; decision 0020)

/**
 * A node's lease on a room lasts this long unless renewed (every third of it). It bounds a
 * takeover: a node that gets a socket for a room whose owner died waits at most this long (and
 * half again) before serving it. Short enough that a call barely stalls; long enough that a GC
 * pause or a slow Redis round trip does not bounce rooms between healthy nodes.
 */
export const ROOM_LEASE_MS = 3000;

// --- Host authority (server/host-authority.ts; decision 0017)

/** A host connection that has not signed its challenge this long after it opened is closed (4407). */
export const HOST_PROOF_TIMEOUT_MS = 10_000;

// --- What a room remembers

/**
 * Commits a room keeps (the oldest are dropped first; see server/commit-log.ts): enough for a member
 * back from a short drop to step through what it missed; anyone further behind, and every joiner,
 * starts from a snapshot. A full room's commit with its 50 envelopes is about 30 KB of text.
 */
export const MAX_LOG_COMMITS = 8;
/** Stored text of a room's kept commits: eight full-room commits. */
export const MAX_LOG_BYTES = 256 * 1024;
/** The sealed lobby record a host may store (crypto/lobby.ts: 64 hand-overs in base64url fit in 14 KB). */
export const MAX_LOBBY_RECORD_CHARS = 16 * 1024;
/** Departures remembered for the host (oldest dropped first); also the most a `left` message lists. */
export const MAX_DEPARTED = 2 * MAX_MEMBERS;
/** Unused resume tokens kept per participant; older ones are dropped. */
export const MAX_RESUME_TOKENS = 4;
/** Revoked resume tokens remembered per room, so their holders learn why (oldest dropped first). */
export const MAX_TOMBSTONES = 1000;
/**
 * A removed member's resume token is answered, before its 4403, with the signed commits up to its
 * removal: at most this many, ending with the removal, so a page that missed a few reads it ([D1]).
 */
export const MAX_REMOVAL_PROOF_COMMITS = 16;

// --- Client timing (client/src/lib/session/, e2ee/media-keys.svelte.ts; decisions 0006 and 0010)

/** A member starts sending under a new epoch this long after it arrives, so the others hold it too. */
export const SWITCH_DELAY_MS = 250;
/** Keys of a replaced epoch stay installed this long after the switch, for frames in flight. */
export const GRACE_MS = 5000;
/** A member with evidence of a newer epoch stops sending if it has not arrived this long after ([W1]). */
export const WITHHELD_AFTER_MS = 5000;
/** Newer-epoch evidence more than this many epochs ahead is not believed (garbage KIDs). */
export const NEWER_EPOCH_HORIZON = 64;
/** Resyncs asked for because of newer-epoch evidence, at most one per this many ms. */
export const EVIDENCE_RESYNC_GAP_MS = 1000;
/** An epoch confirmation goes out this long after its epoch arrives, plus up to the jitter ([F1]). */
export const CONFIRM_DELAY_MS = 500;
export const CONFIRM_JITTER_MS = 1000;
/** Refused commits a page remembers for its security panel and the tests. */
export const REFUSALS_KEPT = 100;
