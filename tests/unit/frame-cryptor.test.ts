import { describe, expect, it } from 'vitest';
import { kidFor, pageLifeCounters } from '../../crypto/epoch';
import { protectMediaFrame } from '../../crypto/media/index';
import { SFrameSender, decodeSFrameHeader, encodeSFrameHeader } from '../../crypto/sframe/index';
import { FrameCryptor } from '../../client/src/worker/frame-cryptor';

const key = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
const ALICE = 'PA_alice';
const BOB = 'PB_bob';
const NOW = 1_000_000;

function vp8Key(size = 200): Uint8Array {
  const f = new Uint8Array(size);
  f[0] = 0x10; // bit 0 clear: key frame
  f.set([0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01], 3);
  for (let i = 10; i < size; i++) f[i] = i & 0xff;
  return f;
}

/** Alice (index 0) sends; Bob receives on a track bound to Alice. Both hold both members' keys. */
async function pair(life = 0): Promise<{ alice: FrameCryptor; bob: FrameCryptor; kid: bigint; bobKid: bigint }> {
  const kid = kidFor(1, 0);
  const bobKid = kidFor(1, 1);
  const keys = [
    { kid, baseKey: key(7), owner: ALICE },
    { kid: bobKid, baseKey: key(8), owner: BOB },
  ];
  const alice = new FrameCryptor();
  await alice.addKeys(keys, { ...keys[0]!, life });
  alice.useSendKid(kid);
  const bob = new FrameCryptor();
  await bob.addKeys(keys, { ...keys[1]!, life: 0 });
  bob.bound(ALICE);
  bob.bound(BOB);
  return { alice, bob, kid, bobKid };
}

const ctrOf = (sealed: Uint8Array, codec: 'vp8' | 'opus'): bigint => decodeSFrameHeader(sealed.subarray(codec === 'vp8' ? 10 : 0)).ctr;

describe('media frame cryptor', () => {
  it('round-trips a VP8 key frame and an Opus frame between two participants', async () => {
    const { alice, bob } = await pair();
    const frame = vp8Key();
    const sealed = await alice.encrypt(frame, 'vp8', 'video/VP8');
    expect(sealed).not.toBeNull();
    expect(sealed!.subarray(0, 10)).toEqual(frame.subarray(0, 10));
    expect(sealed!.subarray(10)).not.toEqual(frame.subarray(10));
    expect(await bob.decrypt(sealed!, 'vp8', ALICE, NOW)).toEqual(frame);
    const opus = new Uint8Array(80).fill(0x42);
    const sealedOpus = await alice.encrypt(opus, 'opus', 'audio/opus');
    expect(await bob.decrypt(sealedOpus!, 'opus', ALICE, NOW)).toEqual(opus);
    expect(bob.stats().decrypted).toBe(2);
    expect(bob.stats().byParticipant.get(ALICE)).toMatchObject({ opened: 2, dropped: 0, wrongSender: 0, openedEpoch: 1 });
  });

  it('drops outgoing frames while it holds no send key instead of sending them in clear', async () => {
    const cryptor = new FrameCryptor();
    expect(await cryptor.encrypt(vp8Key(), 'vp8', 'video/VP8')).toBeNull();
    expect(cryptor.stats().dropped['no-send-key']).toBe(1);
    expect(cryptor.stats().encrypted).toBe(0);
  });

  it('drops a clear frame injected by the SFU and counts it against the track it came on', async () => {
    const { bob } = await pair();
    expect(await bob.decrypt(vp8Key(), 'vp8', ALICE, NOW)).toBeNull();
    expect(await bob.decrypt(new Uint8Array(60).fill(0xfc), 'opus', ALICE, NOW)).toBeNull();
    const dropped = bob.stats().dropped;
    expect(dropped.auth + dropped['unknown-key'] + dropped.malformed).toBe(2);
    expect(bob.stats().decrypted).toBe(0);
    expect(bob.stats().byParticipant.get(ALICE)?.dropped).toBe(2);
  });

  it('drops a replayed frame', async () => {
    const { alice, bob } = await pair();
    const sealed = (await alice.encrypt(vp8Key(), 'vp8', 'video/VP8'))!;
    expect(await bob.decrypt(sealed, 'vp8', ALICE, NOW)).not.toBeNull();
    expect(await bob.decrypt(sealed, 'vp8', ALICE, NOW)).toBeNull();
    expect(bob.stats().dropped.replay).toBe(1);
  });

  it('drops frames under a KID whose key was removed', async () => {
    const { alice, bob, kid } = await pair();
    bob.removeKeys([kid]);
    expect(await bob.decrypt((await alice.encrypt(vp8Key(), 'vp8', 'video/VP8'))!, 'vp8', ALICE, NOW)).toBeNull();
    expect(bob.stats().dropped['unknown-key']).toBe(1);
    expect(bob.stats().decryptedByKid.has(kid)).toBe(false);
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
    const seen = new Set<bigint>();
    for (let i = 0; i < 50; i++) {
      const codec = i % 2 === 0 ? 'vp8' : 'opus';
      const out = (await alice.encrypt(codec === 'vp8' ? vp8Key() : new Uint8Array(40).fill(i), codec, undefined))!;
      seen.add(ctrOf(out, codec));
    }
    expect(seen.size).toBe(50);
  });
});

describe('[K1] a frame opens only on a track of the participant its KID belongs to', () => {
  it("refuses Alice's frame re-published by the SFU on Bob's track, before it touches Alice's replay window", async () => {
    const { alice, bob } = await pair();
    const sealed = (await alice.encrypt(vp8Key(), 'vp8', 'video/VP8'))!;
    expect(await bob.decrypt(sealed, 'vp8', BOB, NOW)).toBeNull();
    expect(bob.stats().dropped['wrong-sender']).toBe(1);
    expect(bob.stats().byParticipant.get(BOB)).toMatchObject({ wrongSender: 1, opened: 0 });
    // The same frame still opens where it belongs: the swap attempt consumed nothing.
    expect(await bob.decrypt(sealed, 'vp8', ALICE, NOW)).not.toBeNull();
  });

  it('refuses frames on a track the SFU has not said whose it is', async () => {
    const { alice, bob } = await pair();
    expect(await bob.decrypt((await alice.encrypt(vp8Key(), 'vp8', 'video/VP8'))!, 'vp8', undefined, NOW)).toBeNull();
    expect(bob.stats().dropped.unbound).toBe(1);
  });
});

describe('[N1] page lives send in counter spaces of their own', () => {
  it('starts each life at its own space and never leaves it', async () => {
    const first = await pair(0);
    const second = await pair(1);
    const a = ctrOf((await first.alice.encrypt(vp8Key(), 'vp8', undefined))!, 'vp8');
    const b = ctrOf((await second.alice.encrypt(vp8Key(), 'vp8', undefined))!, 'vp8');
    expect(a).toBe(pageLifeCounters(0).first);
    expect(b).toBe(pageLifeCounters(1).first);
  });

  it("opens a reloaded sender's new life next to its old one, each with its own replay window", async () => {
    const before = await pair(3);
    const after = await pair(4);
    const receiver = before.bob;
    const old = (await before.alice.encrypt(vp8Key(), 'vp8', undefined))!;
    const fresh = (await after.alice.encrypt(vp8Key(), 'vp8', undefined))!;
    expect(await receiver.decrypt(old, 'vp8', ALICE, NOW)).not.toBeNull();
    expect(await receiver.decrypt(fresh, 'vp8', ALICE, NOW + 10)).not.toBeNull();
    expect(await receiver.decrypt(old, 'vp8', ALICE, NOW + 20)).toBeNull(); // still a replay in its own space
  });
});

describe('[R1] one frame cannot poison a replay window', () => {
  it('refuses a frame far ahead of the sender, and keeps opening the sender after it', async () => {
    // A member can seal under any member's KID: here a copy of Alice's key far ahead in her space.
    const { alice, bob, kid } = await pair();
    const genuine = [] as Uint8Array[];
    for (let i = 0; i < 3; i++) genuine.push((await alice.encrypt(vp8Key(), 'vp8', undefined))!);
    expect(await bob.decrypt(genuine[0]!, 'vp8', ALICE, NOW)).not.toBeNull();
    const far = await forgedAt(kid, 1n << 31n);
    expect(await bob.decrypt(far, 'vp8', ALICE, NOW + 1)).toBeNull();
    expect(bob.stats().dropped['too-far-ahead']).toBe(1);
    expect(await bob.decrypt(genuine[1]!, 'vp8', ALICE, NOW + 2)).not.toBeNull();
    expect(await bob.decrypt(genuine[2]!, 'vp8', ALICE, NOW + 3)).not.toBeNull();
  });

  it('lets a sender that was silent for a while catch up within the documented rate', async () => {
    const { bob, kid } = await pair();
    expect(await bob.decrypt(await forgedAt(kid, 10n), 'vp8', ALICE, NOW)).not.toBeNull();
    // 60 s later, 50,000 counters on (other tracks kept the counter moving): allowed at 1,000/s.
    expect(await bob.decrypt(await forgedAt(kid, 50_010n), 'vp8', ALICE, NOW + 60_000)).not.toBeNull();
  });
});

describe('[B1] bounded bookkeeping under a flooding SFU', () => {
  it('keeps no per-KID state for 100,000 garbage KIDs', async () => {
    const { bob } = await pair();
    const before = bob.stats();
    for (let i = 0; i < 100_000; i++) {
      await bob.decrypt(garbageFrame(BigInt(1_000 + i)), 'opus', i % 2 === 0 ? ALICE : undefined, NOW);
    }
    const after = bob.stats();
    expect(after.dropped['unknown-key']).toBe(100_000);
    expect(after.decryptedByKid.size).toBe(before.decryptedByKid.size);
    expect([...after.byParticipant.keys()].sort()).toEqual([ALICE, BOB]);
  });
});

/** A frame Alice's key seals at an arbitrary counter (what a member holding the epoch can do). */
async function forgedAt(kid: bigint, ctr: bigint): Promise<Uint8Array> {
  const sender = new SFrameSender();
  await sender.addKey(kid, key(7), ctr);
  return protectMediaFrame({ sender, kid, codec: 'vp8', frame: vp8Key() });
}

/** An Opus frame whose SFrame header names `kid` and whose body is junk. */
function garbageFrame(kid: bigint): Uint8Array {
  const header = encodeSFrameHeader(kid, 0n);
  const out = new Uint8Array(header.length + 40);
  out.set(header);
  return out;
}

describe('[W1] frames of a newer epoch are evidence of a missed commit', () => {
  it('reports the newest plausible epoch a dropped frame claims, and ignores garbage far ahead', async () => {
    const { bob } = await pair();
    expect(bob.stats().newerEpoch).toBe(-1);
    await bob.decrypt(garbageFrame(kidFor(3, 0)), 'opus', ALICE, NOW);
    expect(bob.stats().newerEpoch).toBe(3);
    await bob.decrypt(garbageFrame(kidFor(1_000_000, 0)), 'opus', ALICE, NOW);
    expect(bob.stats().newerEpoch).toBe(3);
    await bob.addKeys([{ kid: kidFor(3, 0), baseKey: key(9), owner: ALICE }]);
    expect(bob.stats().newerEpoch).toBe(-1); // caught up
  });
});
