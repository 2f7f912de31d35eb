import { describe, expect, it } from 'vitest';
import {
  AppMessageReplay,
  type AppEpoch,
  type AppMessage,
  appMessageEpoch,
  openAppMessage,
  sealAppMessage,
  Writer,
  utf8,
  appMessageKey,
  generateEpochSecret,
  ReplayError,
  Reason,
  VerificationError,
  generateIdentity,
  sodium,
} from '../../crypto/index';
import { expectError, thrown } from '../scenario/errors';

const roomId = sodium().randombytes_buf(16);
const alice = generateIdentity();
const bob = generateIdentity();
const secret = generateEpochSecret();
const epochOf = (epoch: number, s = secret): AppEpoch => ({
  appKey: appMessageKey(s, roomId, epoch),
  identityOf: (index) => [alice.publicKey, bob.publicKey][index],
});
const message = (over: Partial<AppMessage> = {}): AppMessage => ({ type: 'chat', epoch: 3, senderIndex: 1, seq: 10n, body: utf8('hello'), ...over });

describe('in-call app messages', () => {
  it('round-trip between members of the epoch and name their epoch in clear', async () => {
    const sealed = await sealAppMessage(epochOf(3).appKey, roomId, bob, message());
    expect(appMessageEpoch(sealed)).toBe(3);
    expect(openAppMessage(epochOf(3), roomId, sealed)).toEqual(message());
  });

  it('do not open with another epoch key, another room, or a flipped bit anywhere', async () => {
    const sealed = await sealAppMessage(epochOf(3).appKey, roomId, bob, message());
    expectError(() => openAppMessage(epochOf(3, generateEpochSecret()), roomId, sealed), VerificationError, Reason.authFailed);
    expectError(() => openAppMessage(epochOf(3), sodium().randombytes_buf(16), sealed), VerificationError, Reason.authFailed);
    for (let i = 0; i < sealed.length; i++) {
      const bad = sealed.slice();
      bad[i]! ^= 0x01;
      expect(() => openAppMessage(epochOf(3), roomId, bad), `byte ${i}`).toThrow();
    }
  });

  it('refuse a member speaking as another member, and a sender index outside the epoch', async () => {
    const forged = await sealAppMessage(epochOf(3).appKey, roomId, alice, message({ senderIndex: 1 }));
    expectError(() => openAppMessage(epochOf(3), roomId, forged), VerificationError, Reason.badSignature);
    const ghost = await sealAppMessage(epochOf(3).appKey, roomId, alice, message({ senderIndex: 7 }));
    expectError(() => openAppMessage(epochOf(3), roomId, ghost), VerificationError, Reason.unknownSender);
  });

  it('refuse a wrapper relabelled with another epoch', async () => {
    const sealed = await sealAppMessage(epochOf(3).appKey, roomId, bob, message());
    const relabelled = new Writer().u8(sealed[0]!).u64(4).bytes(sealed.subarray(9)).finish();
    expect(thrown(() => openAppMessage(epochOf(4), roomId, relabelled))).toBeInstanceOf(VerificationError);
  });

  it('refuse replayed and reordered sequence numbers per sender, and keep senders apart', () => {
    const replay = new AppMessageReplay();
    replay.accept(bob.publicKey, 10n);
    replay.accept(alice.publicKey, 3n);
    expectError(() => replay.accept(bob.publicKey, 10n), ReplayError, Reason.replayed);
    expectError(() => replay.accept(bob.publicKey, 9n), ReplayError, Reason.replayed);
    expect(() => replay.accept(bob.publicKey, 11n)).not.toThrow();
  });
});
