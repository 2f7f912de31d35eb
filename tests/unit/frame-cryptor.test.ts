import { describe, expect, it } from 'vitest';
import { FrameCryptor } from '../../client/src/worker/frame-cryptor';

const kidFor = (epoch: number, sender: number): bigint => (BigInt(epoch) << 6n) | BigInt(sender);
const key = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);

function vp8Key(size = 200): Uint8Array {
  const f = new Uint8Array(size);
  f[0] = 0x10; // bit 0 clear: key frame
  f.set([0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01], 3);
  for (let i = 10; i < size; i++) f[i] = i & 0xff;
  return f;
}

async function pair(): Promise<{ alice: FrameCryptor; bob: FrameCryptor; kid: bigint }> {
  const kid = kidFor(1, 0);
  const alice = new FrameCryptor();
  await alice.addKeys([{ kid, baseKey: key(7) }], { kid, baseKey: key(7) });
  alice.useSendKid(kid);
  const bob = new FrameCryptor();
  await bob.addKeys([{ kid, baseKey: key(7) }]);
  return { alice, bob, kid };
}

describe('media frame cryptor', () => {
  it('round-trips a VP8 key frame and an Opus frame between two participants', async () => {
    const { alice, bob } = await pair();
    const frame = vp8Key();
    const sealed = await alice.encrypt(frame, 'vp8', 'video/VP8');
    expect(sealed).not.toBeNull();
    expect(sealed!.subarray(0, 10)).toEqual(frame.subarray(0, 10));
    expect(sealed!.subarray(10)).not.toEqual(frame.subarray(10));
    expect(await bob.decrypt(sealed!, 'vp8')).toEqual(frame);
    const opus = new Uint8Array(80).fill(0x42);
    const sealedOpus = await alice.encrypt(opus, 'opus', 'audio/opus');
    expect(await bob.decrypt(sealedOpus!, 'opus')).toEqual(opus);
    expect(bob.stats().decrypted).toBe(2);
  });

  it('drops outgoing frames while it holds no send key instead of sending them in clear', async () => {
    const cryptor = new FrameCryptor();
    expect(await cryptor.encrypt(vp8Key(), 'vp8', 'video/VP8')).toBeNull();
    expect(cryptor.stats().dropped['no-send-key']).toBe(1);
    expect(cryptor.stats().encrypted).toBe(0);
  });

  it('drops a clear frame injected by the SFU and counts it', async () => {
    const { bob } = await pair();
    expect(await bob.decrypt(vp8Key(), 'vp8')).toBeNull();
    const opusClear = new Uint8Array(60).fill(0xfc);
    expect(await bob.decrypt(opusClear, 'opus')).toBeNull();
    const dropped = bob.stats().dropped;
    expect(dropped.auth + dropped['unknown-key'] + dropped.malformed).toBe(2);
    expect(bob.stats().decrypted).toBe(0);
  });

  it('drops a replayed frame', async () => {
    const { alice, bob } = await pair();
    const sealed = (await alice.encrypt(vp8Key(), 'vp8', 'video/VP8'))!;
    expect(await bob.decrypt(sealed, 'vp8')).not.toBeNull();
    expect(await bob.decrypt(sealed, 'vp8')).toBeNull();
    expect(bob.stats().dropped.replay).toBe(1);
  });

  it('drops frames under a KID whose key was removed, and counts them for that KID', async () => {
    const { alice, bob, kid } = await pair();
    bob.removeKeys([kid]);
    expect(await bob.decrypt((await alice.encrypt(vp8Key(), 'vp8', 'video/VP8'))!, 'vp8')).toBeNull();
    expect(bob.stats().dropped['unknown-key']).toBe(1);
    expect(bob.stats().droppedByKid.get(kid)).toBe(1);
  });

  it('refuses a frame of another codec than the track carries', async () => {
    const { alice } = await pair();
    expect(await alice.encrypt(vp8Key(), 'vp8', 'video/H264')).toBeNull();
    expect(alice.stats().dropped.codec).toBe(1);
  });

  it('stops sending after stop-sending until a send KID is chosen again', async () => {
    const { alice, kid } = await pair();
    alice.stopSending();
    expect(await alice.encrypt(vp8Key(), 'vp8', 'video/VP8')).toBeNull();
    alice.useSendKid(kid);
    expect(await alice.encrypt(vp8Key(), 'vp8', 'video/VP8')).not.toBeNull();
  });

  it('never repeats a counter under one KID across tracks', async () => {
    const { alice } = await pair();
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const codec = i % 2 === 0 ? 'vp8' : 'opus';
      const out = (await alice.encrypt(codec === 'vp8' ? vp8Key() : new Uint8Array(40).fill(i), codec, undefined))!;
      const header = out.subarray(codec === 'vp8' ? 10 : 0);
      seen.add(Array.from(header.subarray(0, 4)).join(','));
    }
    expect(seen.size).toBe(50);
  });
});
