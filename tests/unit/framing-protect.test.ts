import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Reason,
  SealroomCryptoError,
  CLEAR_BYTES,
  type MediaCodec,
  clearPrefixLength,
  MEDIA_CODEC_ID,
  protectMediaFrame,
  unprotectMediaFrame,
  decodeSFrameHeader,
  SFrameReceiver,
  SFrameSender,
  SUITES,
} from '../../crypto/index';

const KID = (12n << 6n) | 7n;
const BASE_KEY = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
const TAG = SUITES[4].Nt;

const payload = fc.uint8Array({ maxLength: 1500 });
/** RFC 6386 §9.1: key frame = bit 0 clear, then 2 tag bytes, start code, 4 size bytes. */
const vp8KeyFrame = fc
  .tuple(fc.integer({ min: 0, max: 127 }), fc.uint8Array({ minLength: 2, maxLength: 2 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), payload)
  .map(([b0, tag, size, body]) => Uint8Array.of(b0 << 1, ...tag, 0x9d, 0x01, 0x2a, ...size, ...body));
const vp8DeltaFrame = fc
  .tuple(fc.integer({ min: 0, max: 127 }), fc.uint8Array({ minLength: 2, maxLength: 2 }), payload)
  .map(([b0, tag, body]) => Uint8Array.of((b0 << 1) | 1, ...tag, ...body));
const opusFrame = fc.uint8Array({ maxLength: 400 });
const anyFrame = fc.oneof(
  vp8KeyFrame.map((frame) => ({ codec: 'vp8' as MediaCodec, frame })),
  vp8DeltaFrame.map((frame) => ({ codec: 'vp8' as MediaCodec, frame })),
  opusFrame.map((frame) => ({ codec: 'opus' as MediaCodec, frame })),
);

async function endpoints() {
  const sender = new SFrameSender();
  const receiver = new SFrameReceiver();
  await sender.addKey(KID, BASE_KEY);
  await receiver.addKey(KID, BASE_KEY);
  return { sender, receiver };
}

describe('protectMediaFrame / unprotectMediaFrame', () => {
  it('round-trips random VP8 key frames, VP8 delta frames and Opus frames', async () => {
    const { sender, receiver } = await endpoints();
    await fc.assert(
      fc.asyncProperty(anyFrame, async ({ codec, frame }) => {
        const data = await protectMediaFrame({ sender, kid: KID, codec, frame });
        const out = await unprotectMediaFrame({ receiver, codec, data });
        expect(out.kid).toBe(KID);
        expect(out.frame).toEqual(frame);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves in clear exactly the declared prefix, then the SFrame header, and nothing else of the frame', async () => {
    const { sender } = await endpoints();
    await fc.assert(
      fc.asyncProperty(anyFrame, async ({ codec, frame }) => {
        const prefixLength = clearPrefixLength(codec, frame);
        const data = await protectMediaFrame({ sender, kid: KID, codec, frame });
        expect(data.subarray(0, prefixLength)).toEqual(frame.subarray(0, prefixLength));
        const header = decodeSFrameHeader(data.subarray(prefixLength));
        expect(header.kid).toBe(KID);
        expect(header.length).toBeGreaterThanOrEqual(CLEAR_BYTES[3].minBytes);
        expect(header.length).toBeLessThanOrEqual(CLEAR_BYTES[3].maxBytes);
        // The whole frame is encrypted, its clear prefix too: the receiver opens it without a copy.
        const encrypted = data.subarray(prefixLength + header.length);
        expect(encrypted.length).toBe(frame.length + TAG);
        if (frame.length >= 8) expect(encrypted.subarray(0, frame.length)).not.toEqual(frame);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects any single-bit flip anywhere: clear prefix, header, ciphertext or tag', async () => {
    const { sender } = await endpoints();
    await fc.assert(
      fc.asyncProperty(anyFrame, fc.nat(), fc.integer({ min: 0, max: 7 }), async ({ codec, frame }, at, bit) => {
        const data = await protectMediaFrame({ sender, kid: KID, codec, frame });
        const flipped = data.slice();
        const index = at % data.length;
        flipped[index] = (flipped[index] as number) ^ (1 << bit);
        const receiver = new SFrameReceiver();
        await receiver.addKey(KID, BASE_KEY);
        await expect(unprotectMediaFrame({ receiver, codec, data: flipped })).rejects.toBeInstanceOf(SealroomCryptoError);
        expect((await unprotectMediaFrame({ receiver, codec, data })).frame).toEqual(frame);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every one of the bit flips of a small VP8 key frame', async () => {
    const { sender } = await endpoints();
    const frame = Uint8Array.of(0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 1, 2, 3, 4, 5);
    const data = await protectMediaFrame({ sender, kid: KID, codec: 'vp8', frame });
    const receiver = new SFrameReceiver();
    await receiver.addKey(KID, BASE_KEY);
    for (let index = 0; index < data.length; index++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = data.slice();
        flipped[index] = (flipped[index] as number) ^ (1 << bit);
        await expect(unprotectMediaFrame({ receiver, codec: 'vp8', data: flipped }), `byte ${index} bit ${bit}`).rejects.toBeInstanceOf(SealroomCryptoError);
      }
    }
    const prefixFlip = data.slice();
    prefixFlip[7] = (prefixFlip[7] as number) ^ 0x01; // a dimension byte: clear, but authenticated
    await expect(unprotectMediaFrame({ receiver, codec: 'vp8', data: prefixFlip })).rejects.toMatchObject({ reason: Reason.authFailed });
  });

  it('rejects a frame relayed onto a track of the other codec', async () => {
    const { sender, receiver } = await endpoints();
    const opus = await protectMediaFrame({ sender, kid: KID, codec: 'opus', frame: Uint8Array.of(0xfc, 9, 9, 9) });
    const vp8 = await protectMediaFrame({ sender, kid: KID, codec: 'vp8', frame: Uint8Array.of(0x31, 0, 0, 5, 5, 5) });
    await expect(unprotectMediaFrame({ receiver, codec: 'vp8', data: opus })).rejects.toBeInstanceOf(SealroomCryptoError);
    await expect(unprotectMediaFrame({ receiver, codec: 'opus', data: vp8 })).rejects.toBeInstanceOf(SealroomCryptoError);
  });

  it('authenticates the codec id with the clear prefix: u8 codec id || prefix is the metadata', async () => {
    const { sender, receiver } = await endpoints();
    const data = await protectMediaFrame({ sender, kid: KID, codec: 'vp8', frame: Uint8Array.of(0x31, 0, 0, 5, 5, 5) });
    const [prefix, sframe] = [data.subarray(0, 3), data.subarray(3)];
    await expect(receiver.unprotect(sframe, Uint8Array.of(MEDIA_CODEC_ID.opus, ...prefix))).rejects.toMatchObject({ reason: Reason.authFailed });
    await expect(receiver.unprotect(sframe, prefix)).rejects.toMatchObject({ reason: Reason.authFailed });
    expect((await receiver.unprotect(sframe, Uint8Array.of(MEDIA_CODEC_ID.vp8, ...prefix))).plaintext).toEqual(Uint8Array.of(0x31, 0, 0, 5, 5, 5));
  });

  it('refuses a frame whose sender encrypted other first bytes than the clear prefix it sent', async () => {
    // A member holds every key, so it can seal a frame whose clear prefix says one thing to the
    // SFU (a key frame, other dimensions) while the decoder would get another.
    const { sender, receiver } = await endpoints();
    const frame = Uint8Array.of(0x31, 0, 0, 5, 5, 5);
    const lie = Uint8Array.of(0x33, 0, 0);
    const data = await sender.protect(KID, frame, Uint8Array.of(MEDIA_CODEC_ID.vp8, ...lie), lie);
    await expect(unprotectMediaFrame({ receiver, codec: 'vp8', data })).rejects.toMatchObject({ reason: Reason.prefixMismatch });
    const short = await sender.protect(KID, Uint8Array.of(0x31), Uint8Array.of(MEDIA_CODEC_ID.vp8, 0x31, 0, 0), Uint8Array.of(0x31, 0, 0));
    await expect(unprotectMediaFrame({ receiver, codec: 'vp8', data: short })).rejects.toMatchObject({ reason: Reason.prefixMismatch });
  });

  it("refuses the retired VP8 framing (codec id 1, only the bytes after the prefix encrypted) instead of decoding it", async () => {
    // What a page loaded before this framing sends: it must fail, not decode with its prefix twice.
    const { sender, receiver } = await endpoints();
    const prefix = Uint8Array.of(0x31, 0, 0);
    const data = await sender.protect(KID, Uint8Array.of(5, 5, 5), Uint8Array.of(1, ...prefix), prefix);
    await expect(unprotectMediaFrame({ receiver, codec: 'vp8', data })).rejects.toMatchObject({ reason: Reason.authFailed });
  });
});
