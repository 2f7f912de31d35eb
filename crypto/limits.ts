// Magic numbers of crypto/: every size limit its formats enforce, each documented, in one place.
// The wire protocol's and the server's limits are in protocol/limits.ts; where the two must agree
// (members per room) tests/unit/limits.test.ts ties them.

/** Rooms hold at most 50 members, host included: the host signs and seals one commit for all of them. */
export const MAX_ROOM_MEMBERS = 50;

/**
 * Member indexes, which are also SFrame sender indexes, are 0..63: the six low bits of a KID
 * (`KID = epoch << 6 | senderIndex`, decision 0003). The host gives each newcomer the smallest
 * free index (host.ts), so a room of MAX_ROOM_MEMBERS never uses more than 50 of them.
 */
export const MAX_MEMBER_INDEX = 63;

/** The largest unsigned 64-bit integer: epochs inside KIDs, SFrame KIDs and counters are u64 (RFC 9605 §4.3). */
export const U64_MAX = (1n << 64n) - 1n;

/**
 * A display name: 1..48 characters (Unicode code points) of its canonical form (name.ts), which
 * fits a 48-letter Arabic name; on the wire at most 4 UTF-8 bytes each.
 */
export const MAX_NAME_CHARS = 48;
export const MAX_NAME_BYTES = 4 * MAX_NAME_CHARS;

/**
 * A knock code (knock-code.ts): 6 decimal digits, about 2^20 values. Whoever swaps a knock
 * without knowing the real knocker's room key matches its code with probability 10^-6 per try
 * (decision 0015 argues the length).
 */
export const KNOCK_CODE_DIGITS = 6;

/** A room's sealed title: 1..120 UTF-8 bytes. */
export const MAX_TITLE_BYTES = 120;

/** A room's sealed description: at most 1000 UTF-8 bytes. */
export const MAX_DESCRIPTION_BYTES = 1000;

/** An in-call message's body: room for a chat line and its metadata, well under the signaling message cap. */
export const MAX_APP_BODY_BYTES = 16 * 1024;

// --- SFrame and media keys

/** Low KID bits holding the sender index (`KID = epoch << 6 | senderIndex`), room for MAX_MEMBER_INDEX. */
export const KID_SENDER_BITS = 6;

/**
 * Low CTR bits counted by one page life; the bits above hold the life (`CTR = life << 32 | n`,
 * decision 0010). 2^32 frames is about 330 days of one sender at 150 frames a second.
 */
export const PAGE_LIFE_CTR_BITS = 32;
/** Page lives one room key hands out. */
export const MAX_PAGE_LIFE = 2 ** 32 - 1;

/** Counters a replay window remembers per (KID, page life) by default; a power of two. */
export const DEFAULT_REPLAY_WINDOW = 1024;
/** The smallest and largest replay windows a receiver may ask for. */
export const MIN_REPLAY_WINDOW = 32;
export const MAX_REPLAY_WINDOW = 1 << 16;

/**
 * How far one media frame may move a sender's replay window ahead: a sender spends one counter per
 * frame over all its tracks (about 150 a second with camera simulcast, microphone and a screen),
 * so 1,000 a second is generous; the base covers a jitter buffer's worth.
 */
export const MEDIA_FORWARD_BOUND = { base: 1024, perSecond: 1000 } as const;

/** SFrame keys cached per base key by the one-shot sframeEncrypt/sframeDecrypt API. */
export const MAX_KIDS_PER_BASE_KEY = 64;

// --- the lobby record (lobby.ts)

/**
 * Host hand-overs a room's lobby record carries: the chain from the host the link names to the
 * host now. A joiner verifies each one, so it must stay short; a host cannot hand over past it
 * (the room then keeps its host until it ends). At 153 bytes each, 64 fit in 10 KB.
 */
export const MAX_HANDOVERS = 64;

/** Commit hashes a member keeps to tell a replayed commit from a fork (the newest epochs). */
export const CHAIN_HISTORY_KEPT = 64;

// --- Media signatures ([M1], crypto/media-batch.ts, decision 0016)

/**
 * Bytes of each frame's digest in a signed batch. The digest covers the header, so a candidate
 * forgery aims at one signed counter (many live frames give a farm nothing), but a member who can
 * predict a sender's plaintext knows that frame in advance and can grind offline for a counter far
 * ahead: 64 bits leave a farm at 10^10 hashes a second about 58 years per forged frame; 48 bits
 * would give it one every 8 hours (decision 0016).
 */
export const MEDIA_DIGEST_BYTES = 8;
/**
 * A sender signs what it sent this often: one batch per KID, which covers all its tracks and
 * simulcast layers. 200 ms rather than 100 ms halves the signature checks and the signature bytes
 * per frame; a forged frame that replaced a real one is still caught within the 250 ms target on an
 * unloaded path (the next cut, then the relay): decision 0016.
 */
export const MEDIA_BATCH_INTERVAL_MS = 200;
/**
 * [M1] how long time alone may let a sender's frames be shown before their batch. It never flags
 * anyone (only a verified batch does: a digest that disagrees, or a counter inside its range that
 * it leaves out), so late batches delay a flag and never raise one: a frame shown early that is
 * this old without its batch stops its sender's frames from being shown before their batches until
 * they catch up, and a frame held this long is dropped unjudged (decision 0016).
 */
export const MEDIA_SIGNATURE_BOUND_MS = 2000;
/**
 * How far ahead of the newest counter a valid batch covered a frame may be and still be shown
 * before its batch: forged frames shown early can take at most that many of the real sender's
 * counters (its own frames at those counters then fail the replay window). The receiver sizes it
 * per sender from what it measures (decision 0016): the counters the sender's verified batches show
 * it seals in twice the time its frames recently waited for their batches, never less than the
 * floor, never more than it seals in MEDIA_SIGNATURE_BOUND_MS, and never more than the ceiling. So
 * on a quick relay it stays near the floor, and a busy machine or a slow relay widens it only up to
 * the bound, whoever delays the batches.
 */
export const MEDIA_OPTIMISTIC_SLACK = 64;
export const MEDIA_OPTIMISTIC_SLACK_MAX = 512;
/** A verified batch (its range and digests) is kept this long for frames that arrive after it; older frames are dropped unjudged. */
export const MEDIA_BATCH_RETENTION_MS = 2000;
/** After an unsigned frame (not a proven forgery) the sender's frames are held this long. */
export const MEDIA_UNSIGNED_HOLD_MS = 10_000;
/** Runs and frames one batch may carry (a sender makes about 15 frames per interval). */
export const MAX_BATCH_RUNS = 32;
export const MAX_BATCH_FRAMES = 1024;
