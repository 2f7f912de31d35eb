// The two homes of Sealroom's limits, crypto/limits.ts and protocol/limits.ts, and the copies still
// held elsewhere, agree with each other.
import { describe, expect, it } from 'vitest';
import {
  createJoinRequest,
  deriveLinkKeys,
  generateIdentity,
  generateLinkSecret,
  generateRoomKey,
  MAX_NAME_CHARS,
  sodium,
  toBase64Url,
  DEFAULT_REPLAY_WINDOW,
  KID_SENDER_BITS,
  MAX_APP_BODY_BYTES,
  MAX_MEMBER_INDEX,
  MAX_ROOM_MEMBERS,
  ParameterError,
  ReplayWindow,
  U64_MAX,
  kidFor,
  splitKid,
  u64,
} from '../../crypto/index';
import { MAX_DEPARTED, MAX_KNOCK_CHARS, MAX_LOBBY, MAX_LOBBY_PARTICIPANTS, MAX_MEMBERS, MAX_MESSAGE_BYTES, WS_MAX_FRAME_BYTES } from '../../protocol/limits';
import { MAX_MEMBERS as WIRE_MAX_MEMBERS } from '../../protocol/protocol';

describe('limits', () => {
  it('caps a room at the same number of members in crypto (commits) and on the wire (server)', () => {
    expect(MAX_MEMBERS).toBe(MAX_ROOM_MEMBERS);
    expect(WIRE_MAX_MEMBERS).toBe(MAX_ROOM_MEMBERS);
  });

  it('gives every member of a full room its own sender index in the KID', () => {
    expect(MAX_MEMBER_INDEX).toBe(2 ** KID_SENDER_BITS - 1);
    expect(MAX_ROOM_MEMBERS).toBeLessThanOrEqual(MAX_MEMBER_INDEX + 1);
    expect(splitKid(kidFor(7, MAX_MEMBER_INDEX))).toEqual({ epoch: 7, senderIndex: MAX_MEMBER_INDEX });
    expect(() => kidFor(7, MAX_MEMBER_INDEX + 1)).toThrow(ParameterError);
  });

  it('has one u64 maximum, the one the byte codec enforces', () => {
    expect(u64(U64_MAX)).toEqual(new Uint8Array(8).fill(0xff));
    expect(() => u64(U64_MAX + 1n)).toThrow();
    expect(() => splitKid(U64_MAX + 1n)).toThrow(ParameterError);
  });

  it('fits an in-call message of the largest body, base64url-encoded, in one signaling message', () => {
    // A kilobyte to spare for the message's header, signature and tag, and the JSON around it.
    expect(Math.ceil(((MAX_APP_BODY_BYTES + 1024) * 4) / 3)).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(MAX_MESSAGE_BYTES).toBeLessThan(WS_MAX_FRAME_BYTES);
  });

  it('keeps a place in the lobby for every knock, and reports every departure of a full room', () => {
    expect(MAX_LOBBY_PARTICIPANTS).toBeGreaterThanOrEqual(MAX_LOBBY);
    expect(MAX_DEPARTED).toBeGreaterThanOrEqual(MAX_MEMBERS);
  });

  it('fits the largest join request (a name of four-byte letters at the limit) in a knock', async () => {
    const roomId = sodium().randombytes_buf(16);
    const { joinMacKey } = deriveLinkKeys(generateLinkSecret(), roomId);
    const request = await createJoinRequest({
      identity: generateIdentity(),
      roomKey: generateRoomKey(),
      roomId,
      participantId: sodium().randombytes_buf(16),
      hostRoomPublicKey: generateRoomKey().publicKey,
      displayName: '𝒜'.repeat(MAX_NAME_CHARS),
      joinMacKey,
    });
    expect(toBase64Url(request).length).toBeLessThanOrEqual(MAX_KNOCK_CHARS);
  });

  it('keeps the default replay window within the sizes a receiver accepts', () => {
    expect(() => new ReplayWindow(DEFAULT_REPLAY_WINDOW)).not.toThrow();
  });
});
