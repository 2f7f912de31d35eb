// Magic numbers of the signaling protocol and of the server that speaks it: message sizes, room
// and lobby places, grace periods, what a room remembers, and message budgets, each documented,
// in one place. crypto/'s own limits are in crypto/limits.ts; where the two must agree (members
// per room) tests/unit/limits.test.ts ties them. protocol.ts re-exports the wire limits.

// --- Messages

/** Hard cap enforced by the WebSocket layer: a larger frame is a protocol violation (close 1009). */
export const WS_MAX_FRAME_BYTES = 64 * 1024;
/** Soft cap: a frame above this but within the hard cap gets a `too-large` error and stays open. */
export const MAX_MESSAGE_BYTES = 48 * 1024;
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

// --- Places

/** Rooms hold at most this many admitted members, host included (crypto's MAX_ROOM_MEMBERS). */
export const MAX_MEMBERS = 50;
/** Knocks waiting for the host at once. */
export const MAX_LOBBY = 50;
/** Lobby participants (connected or within their grace) a room holds at once. */
export const MAX_LOBBY_PARTICIPANTS = 2 * MAX_LOBBY;

// --- Grace periods

/** A disconnected lobby participant (and its knock) is forgotten after this long. */
export const LOBBY_GRACE_MS = 120_000;
/**
 * An admitted member away this long is gone for good: forgotten, and reported to the host in
 * `left` so it commits a `leave` and rekeys. Long enough for a reconnect; short enough that a
 * closed laptop does not keep a seat, and keys, in the room.
 */
export const MEMBER_GRACE_MS = 120_000;

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
