import { describe, expect, it } from 'vitest';
import { Reason, ReplayError, UnknownKeyError, VerificationError, U64_MAX, decodeSFrameHeader, SFrameReceiver, SFrameSender, CipherSuite } from '../../crypto/index';
import { withByteChanged } from '../vectors/hex';

const kidOf = (epoch: number, sender: number): bigint => (BigInt(epoch) << 6n) | BigInt(sender);
const baseKey = (seed: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i) & 0xff);
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

async function pair(suite: CipherSuite = CipherSuite.AES_128_GCM_SHA256_128, kid = kidOf(3, 5)) {
  const sender = new SFrameSender(suite);
  const receiver = new SFrameReceiver(suite);
  await sender.addKey(kid, baseKey(1));
  await receiver.addKey(kid, baseKey(1));
  return { sender, receiver, kid };
}

describe('SFrameSender / SFrameReceiver', () => {
  for (const suite of Object.values(CipherSuite)) {
    it(`carries a frame and its metadata end to end under suite ${suite}`, async () => {
      const { sender, receiver, kid } = await pair(suite);
      const frame = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
      const sealed = await sender.protect(kid, frame, bytes(1, 2, 3));
      const opened = await receiver.unprotect(sealed, bytes(1, 2, 3));
      expect(opened).toEqual({ kid, ctr: 0n, plaintext: frame });
    });
  }

  it('numbers the frames of a KID 0, 1, 2, ... in the header', async () => {
    const { sender, kid } = await pair();
    for (let i = 0n; i < 5n; i++) {
      expect(decodeSFrameHeader(await sender.protect(kid, bytes(9)))).toMatchObject({ kid, ctr: i });
    }
    expect(sender.nextCounter(kid)).toBe(5n);
  });

  it('gives concurrent protect calls distinct counters', async () => {
    const { sender, kid } = await pair();
    const sealed = await Promise.all(Array.from({ length: 50 }, () => sender.protect(kid, bytes(1, 2))));
    const counters = new Set(sealed.map((s) => decodeSFrameHeader(s).ctr));
    expect(counters.size).toBe(50);
  });

  it('keeps counting where it stopped when a KID is removed and added again', async () => {
    const { sender, kid } = await pair();
    await sender.protect(kid, bytes(1));
    await sender.protect(kid, bytes(1));
    expect(sender.removeKey(kid)).toBe(true);
    await sender.addKey(kid, baseKey(1));
    expect(decodeSFrameHeader(await sender.protect(kid, bytes(1))).ctr).toBe(2n);
  });

  it('never lets firstCounter move a KID backwards', async () => {
    const { sender, kid } = await pair();
    await sender.addKey(kid, baseKey(1), 100n);
    expect(sender.nextCounter(kid)).toBe(100n);
    await sender.addKey(kid, baseKey(1), 3n);
    expect(sender.nextCounter(kid)).toBe(100n);
  });

  it('seals the last counter 2^64-1, then refuses with counter-exhausted', async () => {
    const sender = new SFrameSender();
    const kid = kidOf(1, 1);
    await sender.addKey(kid, baseKey(1), U64_MAX);
    expect(decodeSFrameHeader(await sender.protect(kid, bytes(1))).ctr).toBe(U64_MAX);
    await expect(sender.protect(kid, bytes(1))).rejects.toMatchObject({ name: 'ParameterError', reason: Reason.counterExhausted });
  });

  it('refuses to seal under a KID it holds no key for', async () => {
    const { sender } = await pair();
    await expect(sender.protect(kidOf(4, 5), bytes(1))).rejects.toBeInstanceOf(UnknownKeyError);
  });

  it('names an unknown epoch, or an unknown sender of a known epoch, and the KID', async () => {
    const { sender, receiver } = await pair(CipherSuite.AES_128_GCM_SHA256_128, kidOf(3, 5));
    await sender.addKey(kidOf(3, 6), baseKey(2));
    await sender.addKey(kidOf(9, 5), baseKey(3));
    await expect(receiver.unprotect(await sender.protect(kidOf(3, 6), bytes(1)))).rejects.toMatchObject({
      name: 'UnknownKeyError',
      reason: Reason.unknownSender,
      message: expect.stringContaining('epoch 3, sender 6'),
    });
    await expect(receiver.unprotect(await sender.protect(kidOf(9, 5), bytes(1)))).rejects.toMatchObject({
      reason: Reason.unknownEpoch,
      message: expect.stringContaining(`KID ${kidOf(9, 5)}`),
    });
  });

  it('drops a replayed frame with ReplayError(replayed)', async () => {
    const { sender, receiver, kid } = await pair();
    const sealed = await sender.protect(kid, bytes(1, 2, 3));
    await receiver.unprotect(sealed);
    await expect(receiver.unprotect(sealed)).rejects.toMatchObject({ name: 'ReplayError', reason: Reason.replayed });
  });

  it('opens only one of two copies of a frame that arrive together', async () => {
    const { sender, receiver, kid } = await pair();
    const sealed = await sender.protect(kid, new Uint8Array(5000));
    const results = await Promise.allSettled([receiver.unprotect(sealed), receiver.unprotect(sealed)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(ReplayError);
  });

  it('accepts frames that arrive out of order', async () => {
    const { sender, receiver, kid } = await pair();
    const sealed = await Promise.all([0, 1, 2, 3, 4].map((i) => sender.protect(kid, bytes(i))));
    for (const i of [3, 0, 4, 1, 2]) expect((await receiver.unprotect(sealed[i] as Uint8Array)).plaintext).toEqual(bytes(i));
  });

  it('lets a forged frame move nothing: the genuine frame with that counter still opens', async () => {
    const { sender, receiver, kid } = await pair();
    const sealed = await sender.protect(kid, bytes(1, 2, 3, 4));
    const forged = withByteChanged(sealed, sealed.length - 1);
    await expect(receiver.unprotect(forged)).rejects.toMatchObject({ name: 'VerificationError', reason: Reason.authFailed });
    expect((await receiver.unprotect(sealed)).plaintext).toEqual(bytes(1, 2, 3, 4));
  });

  it('rejects a frame opened with different metadata', async () => {
    const { sender, receiver, kid } = await pair();
    const sealed = await sender.protect(kid, bytes(1), bytes(0xaa));
    await expect(receiver.unprotect(sealed, bytes(0xab))).rejects.toBeInstanceOf(VerificationError);
  });

  it('rejects a frame under a KID whose key differs from the sender\'s', async () => {
    const { sender, kid } = await pair();
    const receiver = new SFrameReceiver();
    await receiver.addKey(kid, baseKey(2));
    await expect(receiver.unprotect(await sender.protect(kid, bytes(1)))).rejects.toMatchObject({ reason: Reason.authFailed });
  });

  it('stops opening a KID once it is removed', async () => {
    const { sender, receiver, kid } = await pair();
    expect(receiver.removeKey(kid)).toBe(true);
    expect(receiver.hasKey(kid)).toBe(false);
    await expect(receiver.unprotect(await sender.protect(kid, bytes(1)))).rejects.toBeInstanceOf(UnknownKeyError);
  });

  it('rejects a frame cut short of its tag as truncated', async () => {
    const { sender, receiver, kid } = await pair();
    const sealed = await sender.protect(kid, new Uint8Array(0));
    await expect(receiver.unprotect(sealed.subarray(0, sealed.length - 1))).rejects.toMatchObject({ name: 'CodecError', reason: Reason.truncated });
  });

  it('refuses an unknown suite and base keys of the wrong size', async () => {
    expect(() => new SFrameSender(9 as CipherSuite)).toThrow(expect.objectContaining({ reason: Reason.unknownSuite }));
    expect(() => new SFrameReceiver(0 as CipherSuite)).toThrow(expect.objectContaining({ reason: Reason.unknownSuite }));
    await expect(new SFrameSender().addKey(1n, new Uint8Array(15))).rejects.toMatchObject({ reason: Reason.badKeyLength });
    await expect(new SFrameReceiver().addKey(1n, new Uint8Array(65))).rejects.toMatchObject({ reason: Reason.badKeyLength });
  });
});
