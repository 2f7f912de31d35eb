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

/** A display name inside a join request or a commit: 1..64 UTF-8 bytes. */
export const MAX_NAME_BYTES = 64;

/** A room's sealed title: 1..120 UTF-8 bytes. */
export const MAX_TITLE_BYTES = 120;

/** A room's sealed description: at most 1000 UTF-8 bytes. */
export const MAX_DESCRIPTION_BYTES = 1000;

/** An in-call message's body: room for a chat line and its metadata, well under the signaling message cap. */
export const MAX_APP_BODY_BYTES = 16 * 1024;
