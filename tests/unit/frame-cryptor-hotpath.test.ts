// FrameCryptor on the hot path (docs/decisions/0014): one header parse per received frame, the opened
// frame handed over whole (the media worker gives its buffer to frame.data without copying it), and
// the per-KID record that replaced three maps keeping the same counts as before.
import { describe, expect, it } from 'vitest';
import { kidFor } from '../../crypto/index';
import { FrameCryptor } from '../../client/src/worker/frame-cryptor';

const key = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
const ALICE = 'PA_alice';
const NOW = 5_000;

function vp8(size: number, keyFrame: boolean): Uint8Array {
  const f = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
  f[0] = keyFrame ? 0x10 : 0x11;
  if (keyFrame) f.set([0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01], 3);
  return f;
}

async function pair(): Promise<{ alice: FrameCryptor; bob: FrameCryptor; kid: bigint }> {
  const kid = kidFor(2, 0);
  const alice = new FrameCryptor();
  await alice.addKeys([{ kid, baseKey: key(3), owner: ALICE }], { kid, baseKey: key(3), owner: ALICE, life: 1 });
  alice.useSendKid(kid);
  const bob = new FrameCryptor();
  await bob.addKeys([{ kid, baseKey: key(3), owner: ALICE }]);
  bob.bound(ALICE);
  return { alice, bob, kid };
}

const whole = (bytes: Uint8Array): boolean => bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength;

describe('media frame cryptor hot path', () => {
  const cases = [
    { name: 'an Opus frame', codec: 'opus' as const, mime: 'audio/opus', frame: Uint8Array.from({ length: 120 }, (_, i) => i) },
    { name: 'a VP8 delta frame', codec: 'vp8' as const, mime: 'video/VP8', frame: vp8(1200, false) },
    { name: 'a VP8 key frame', codec: 'vp8' as const, mime: 'video/VP8', frame: vp8(300, true) },
  ];
  for (const c of cases) {
    it(`returns ${c.name} sealed and opened in buffers of their own, byte for byte`, async () => {
      const { alice, bob } = await pair();
      const sealed = await alice.encrypt(c.frame, c.codec, c.mime);
      expect(sealed).not.toBeNull();
      expect(whole(sealed!)).toBe(true);
      const opened = await bob.decrypt(sealed!, c.codec, ALICE, NOW);
      expect(opened).toEqual(c.frame);
      expect(whole(opened!)).toBe(true);
      expect(opened!.buffer).not.toBe(sealed!.buffer);
    });
  }

  it('counts opened frames per KID across re-adding and removing the KID, as before', async () => {
    const { alice, bob, kid } = await pair();
    const frame = new Uint8Array(80).fill(1);
    for (let i = 0; i < 2; i++) expect(await bob.decrypt((await alice.encrypt(frame, 'opus', 'audio/opus'))!, 'opus', ALICE, NOW)).not.toBeNull();
    expect(bob.openedKids()).toBe(1);
    expect(bob.stats().decryptedByKid.get(kid)).toBe(2);
    await bob.addKeys([{ kid, baseKey: key(3), owner: ALICE }]); // re-added while held: the count stays
    expect(bob.stats().decryptedByKid.get(kid)).toBe(2);
    bob.removeKeys([kid]);
    expect(bob.openedKids()).toBe(0);
    expect(bob.stats().decryptedByKid.has(kid)).toBe(false);
    await bob.addKeys([{ kid, baseKey: key(3), owner: ALICE }]);
    expect(await bob.decrypt((await alice.encrypt(frame, 'opus', 'audio/opus'))!, 'opus', ALICE, NOW)).not.toBeNull();
    expect(bob.openedKids()).toBe(1);
    expect(bob.stats().decryptedByKid.get(kid)).toBe(1);
    expect(bob.stats().byParticipant.get(ALICE)).toMatchObject({ opened: 3, dropped: 0, openedEpoch: 2 });
  });

  it('does not count a frame whose KID was removed while it was opening', async () => {
    const { alice, bob, kid } = await pair();
    const sealed = (await alice.encrypt(new Uint8Array(80).fill(2), 'opus', 'audio/opus'))!;
    const opening = bob.decrypt(sealed, 'opus', ALICE, NOW);
    bob.removeKeys([kid]);
    expect(await opening).not.toBeNull(); // its tag verified under the key held when it arrived
    expect(bob.openedKids()).toBe(0);
    expect(bob.stats().decryptedByKid.size).toBe(0);
  });

  it('parses a received frame once: a header cut short is malformed, before any key or owner is looked at', async () => {
    const { alice, bob } = await pair();
    const sealed = (await alice.encrypt(vp8(400, false), 'vp8', 'video/VP8'))!;
    // prefix (3) || config byte (1-byte KID, 5-byte CTR) || the KID byte, then no CTR.
    expect(await bob.decrypt(sealed.subarray(0, 5), 'vp8', ALICE, NOW)).toBeNull();
    expect(bob.stats().dropped.malformed).toBe(1);
    expect(await bob.decrypt(sealed, 'vp8', ALICE, NOW)).toEqual(vp8(400, false));
  });
});
