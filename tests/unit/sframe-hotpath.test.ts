// The number-only SFrame hot path (docs/decisions/0014): counters and KIDs carried as 32-bit halves,
// per-key header bytes and nonce/AAD buffers, one header parse per received frame. Each test pins a
// place where numbers could go wrong: the carry at 2^32, the precision edge at 2^53, the end of u64,
// the split of a CTR into page life and counter, and buffers reused across keys and overlapping calls.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CipherSuite,
  MEDIA_FORWARD_BOUND,
  PAGE_LIFE_CTR_BITS,
  Reason,
  ReplayError,
  ReplayWindow,
  SFrameReceiver,
  SFrameSender,
  U64_MAX,
  UnknownKeyError,
  VerificationError,
  decodeSFrameHeader,
  encodeSFrameHeader,
  importAead,
  kidFor,
  pageLifeCounters,
  sframeNonce,
  suiteParams,
} from '../../crypto/index';

const TWO_32 = 1n << 32n;
const TWO_53 = 1n << 53n;
const baseKey = (seed: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (seed * 37 + i) & 0xff);
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** RFC 9605 §4.3 written the plain way, in BigInt, to check the halves-based codec against. */
function referenceHeader(kid: bigint, ctr: bigint): Uint8Array {
  const field = (v: bigint): number[] => {
    const out: number[] = [];
    for (let x = v; x > 0n; x >>= 8n) out.unshift(Number(x & 0xffn));
    return out;
  };
  const k = kid < 8n ? [] : field(kid);
  const c = ctr < 8n ? [] : field(ctr);
  const config = (k.length === 0 ? Number(kid) << 4 : 0x80 | ((k.length - 1) << 4)) | (c.length === 0 ? Number(ctr) : 0x08 | (c.length - 1));
  return Uint8Array.of(config, ...k, ...c);
}

/** Values where a 32-bit or double arithmetic slip would show. */
const EDGES = [0n, 7n, 8n, 255n, 256n, TWO_32 - 1n, TWO_32, TWO_32 + 1n, TWO_53 - 1n, TWO_53, TWO_53 + 1n, U64_MAX - 1n, U64_MAX];

describe('SFrame header as 32-bit halves', () => {
  it('encodes and decodes the boundary values exactly as the BigInt reference does', () => {
    for (const kid of EDGES) {
      for (const ctr of EDGES) {
        const header = encodeSFrameHeader(kid, ctr);
        expect(header, `KID ${kid} CTR ${ctr}`).toEqual(referenceHeader(kid, ctr));
        expect(decodeSFrameHeader(Uint8Array.of(...header, 0xee))).toEqual({ kid, ctr, length: header.length });
      }
    }
  });

  it('agrees with the reference on any u64 pair', () => {
    const u64 = fc.bigInt({ min: 0n, max: U64_MAX });
    fc.assert(
      fc.property(u64, u64, (kid, ctr) => {
        const header = encodeSFrameHeader(kid, ctr);
        expect(header).toEqual(referenceHeader(kid, ctr));
        expect(decodeSFrameHeader(header)).toEqual({ kid, ctr, length: header.length });
      }),
      { numRuns: 500 },
    );
  });

  it('still refuses a non-minimal CTR whose extra zero byte sits in the high half', () => {
    // CTR 2^32 written in 6 bytes instead of 5: 00 01 00 00 00 00.
    expect(() => decodeSFrameHeader(bytes(0x0d, 0, 1, 0, 0, 0, 0))).toThrow(expect.objectContaining({ reason: Reason.malformed }));
    expect(decodeSFrameHeader(bytes(0x0c, 1, 0, 0, 0, 0))).toEqual({ kid: 0n, ctr: TWO_32, length: 6 });
  });

  it('writes the nonce from the halves: salt XOR CTR on both sides of 2^32 and 2^53', () => {
    const salt = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
    for (const ctr of EDGES) {
      const expected = salt.slice();
      for (let i = 0; i < 8; i++) expected[11 - i] = (expected[11 - i] as number) ^ Number((ctr >> BigInt(8 * i)) & 0xffn);
      expect(sframeNonce(salt, ctr), `CTR ${ctr}`).toEqual(expected);
    }
  });
});

describe('sender counters as halves', () => {
  async function senderFrom(first: bigint, end?: bigint) {
    const kid = kidFor(2, 3);
    const sender = new SFrameSender();
    await sender.addKey(kid, baseKey(1), first, end);
    const receiver = new SFrameReceiver();
    await receiver.addKey(kid, baseKey(1));
    return { kid, sender, receiver };
  }

  for (const start of [TWO_32 - 2n, TWO_53 - 2n]) {
    it(`carries from ${start} across the boundary, each CTR once and opened under its own nonce`, async () => {
      const { kid, sender, receiver } = await senderFrom(start);
      const sealed = [];
      for (let i = 0; i < 4; i++) sealed.push(await sender.protect(kid, bytes(i)));
      expect(sealed.map((s) => decodeSFrameHeader(s).ctr)).toEqual([start, start + 1n, start + 2n, start + 3n]);
      expect(sender.nextCounter(kid)).toBe(start + 4n);
      for (let i = 0; i < 4; i++) expect((await receiver.unprotect(sealed[i] as Uint8Array)).plaintext).toEqual(bytes(i));
      // 2^53 + 1 is not a double: had the window rounded, this replay of 2^53 (or 2^32) would pass.
      await expect(receiver.unprotect(sealed[2] as Uint8Array)).rejects.toMatchObject({ reason: Reason.replayed });
    });
  }

  it('uses the last counter of a page life, then stops with counter-exhausted', async () => {
    const { first, end } = pageLifeCounters(7);
    const { kid, sender } = await senderFrom(end - 2n, end);
    expect(first).toBe(7n << 32n);
    expect(decodeSFrameHeader(await sender.protect(kid, bytes(1))).ctr).toBe(end - 2n);
    expect(decodeSFrameHeader(await sender.protect(kid, bytes(2))).ctr).toBe(end - 1n);
    await expect(sender.protect(kid, bytes(3))).rejects.toMatchObject({ reason: Reason.counterExhausted });
    expect(sender.nextCounter(kid)).toBe(end);
  });

  it('keeps a removed KID counter and never moves it back when re-added', async () => {
    const { kid, sender } = await senderFrom(TWO_32 - 1n);
    await sender.protect(kid, bytes(1));
    expect(sender.removeKey(kid)).toBe(true);
    await expect(sender.protect(kid, bytes(2))).rejects.toBeInstanceOf(UnknownKeyError);
    await sender.addKey(kid, baseKey(1), 5n);
    expect(decodeSFrameHeader(await sender.protect(kid, bytes(3))).ctr).toBe(TWO_32);
  });
});

describe('replay window on halves', () => {
  /** Offers `ctr`; true if taken. */
  function offer(window: ReplayWindow, ctr: bigint, nowMs = 0): boolean | string {
    try {
      window.check(ctr, nowMs);
      window.accept(ctr, nowMs);
      return true;
    } catch (e) {
      expect(e).toBeInstanceOf(ReplayError);
      return (e as ReplayError).reason;
    }
  }

  it('accepts what a set-based model accepts, with counters straddling 2^32 and 2^53', () => {
    const size = 64;
    for (const base of [TWO_32 - 150n, TWO_53 - 150n, U64_MAX - 300n]) {
      fc.assert(
        fc.property(fc.array(fc.bigInt({ min: 0n, max: 300n }), { maxLength: 300 }), (offsets) => {
          const window = new ReplayWindow(size);
          const seen = new Set<bigint>();
          let highest = -1n;
          for (const ctr of offsets.map((o) => base + o)) {
            const expected = !seen.has(ctr) && ctr > highest - BigInt(size);
            expect(offer(window, ctr) === true, `CTR ${ctr}`).toBe(expected);
            if (expected) {
              seen.add(ctr);
              if (ctr > highest) highest = ctr;
            }
          }
          expect(window.highest).toBe(highest < 0n ? undefined : highest);
        }),
        { numRuns: 100 },
      );
    }
  });

  it('applies the forward bound exactly across the 2^32 carry', () => {
    const window = new ReplayWindow(1024, 'k', { base: 1024, perSecond: 0 });
    expect(offer(window, TWO_32 - 1n)).toBe(true);
    expect(offer(window, TWO_32 - 1n + 1025n)).toBe(Reason.tooFarAhead);
    expect(offer(window, TWO_32 - 1n + 1024n)).toBe(true);
    expect(window.highest).toBe(TWO_32 + 1023n);
  });

  it('compares far-ahead counters exactly, beyond what a double holds', () => {
    // 2^60 ahead with a bound of exactly 2^60 is allowed; one more is not (doubles would round both to 2^60).
    const bound = { base: 2 ** 60, perSecond: 0 };
    const allowed = new ReplayWindow(1024, 'k', bound);
    expect(offer(allowed, 0n)).toBe(true);
    expect(offer(allowed, 1n << 60n)).toBe(true);
    const refused = new ReplayWindow(1024, 'k', bound);
    expect(offer(refused, 0n)).toBe(true);
    expect(offer(refused, (1n << 60n) + 1n)).toBe(Reason.tooFarAhead);
    expect(refused.highest).toBe(0n);
  });
});

describe('receiver counter spaces (page life | counter)', () => {
  for (const bits of [16, 32, 48, 64]) {
    it(`keeps one window per space with ${bits}-bit counters`, async () => {
      const kid = kidFor(1, 2);
      const receiver = new SFrameReceiver(undefined, { counterSpaceBits: bits, forwardBound: MEDIA_FORWARD_BOUND });
      const sender = new SFrameSender();
      await receiver.addKey(kid, baseKey(4));
      const sealed: Uint8Array[] = [];
      // Counter 5 of spaces 1 and 2 (for 64 bits: one space, so these are CTRs far apart in it).
      const spaceStart = (space: bigint): bigint => (bits === 64 ? space * 5000n : space << BigInt(bits));
      for (const space of [1n, 2n]) {
        await sender.addKey(kid, baseKey(4), spaceStart(space) + 5n);
        sealed.push(await sender.protect(kid, bytes(Number(space))));
      }
      expect((await receiver.unprotect(sealed[0] as Uint8Array, undefined, 0)).ctr).toBe(spaceStart(1n) + 5n);
      const second = receiver.unprotect(sealed[1] as Uint8Array, undefined, 0);
      if (bits === 64) {
        // One window: 5000 counters ahead of the first frame at once is beyond the forward bound.
        await expect(second).rejects.toMatchObject({ reason: Reason.tooFarAhead });
      } else {
        expect((await second).ctr).toBe(spaceStart(2n) + 5n);
        // Each space remembers its own frame; going back to space 1 finds its window as left.
        await expect(receiver.unprotect(sealed[0] as Uint8Array, undefined, 0)).rejects.toMatchObject({ reason: Reason.replayed });
        await expect(receiver.unprotect(sealed[1] as Uint8Array, undefined, 0)).rejects.toMatchObject({ reason: Reason.replayed });
      }
    });
  }

  it('splits a page-life CTR at 32 bits with the app settings: life 2^32-1, counter 2^32-1', async () => {
    const kid = kidFor(9, 1);
    const { first, end } = pageLifeCounters(2 ** 32 - 1);
    const sender = new SFrameSender();
    await sender.addKey(kid, baseKey(5), end - 1n, end);
    const receiver = new SFrameReceiver(undefined, { counterSpaceBits: PAGE_LIFE_CTR_BITS, forwardBound: MEDIA_FORWARD_BOUND });
    await receiver.addKey(kid, baseKey(5));
    const sealed = await sender.protect(kid, bytes(1));
    expect(end - 1n).toBe(U64_MAX);
    expect(first >> 32n).toBe(2n ** 32n - 1n);
    expect(await receiver.unprotect(sealed)).toMatchObject({ kid, ctr: U64_MAX });
    await expect(receiver.unprotect(sealed)).rejects.toMatchObject({ reason: Reason.replayed });
  });
});

describe('per-key header bytes and buffers', () => {
  const KIDS = [0n, 5n, kidFor(3, 7), 1n << 40n, TWO_53 - 1n, TWO_53, U64_MAX];

  it('gives every KID its own header and key, frames of different KIDs interleaved and in flight together', async () => {
    const sender = new SFrameSender();
    const receiver = new SFrameReceiver();
    for (const [i, kid] of KIDS.entries()) {
      await sender.addKey(kid, baseKey(i), BigInt(i) * TWO_32);
      await receiver.addKey(kid, baseKey(i));
    }
    // Three rounds over every KID, all sealed without waiting: each call reuses its key's nonce and AAD buffers.
    const jobs = [0, 1, 2].flatMap((round) => KIDS.map((kid, i) => ({ kid, i, round, sealed: sender.protect(kid, bytes(i, round), bytes(round)) })));
    const sealed = await Promise.all(jobs.map((j) => j.sealed));
    const opened = await Promise.all(jobs.map((j, n) => receiver.unprotect(sealed[n] as Uint8Array, bytes(j.round))));
    for (const [n, j] of jobs.entries()) {
      expect(decodeSFrameHeader(sealed[n] as Uint8Array)).toMatchObject({ kid: j.kid, ctr: BigInt(j.i) * TWO_32 + BigInt(j.round) });
      expect(opened[n]).toEqual({ kid: j.kid, ctr: BigInt(j.i) * TWO_32 + BigInt(j.round), plaintext: bytes(j.i, j.round) });
    }
  });

  it('refuses a frame sealed under one KID and relabelled with another KID of the same receiver', async () => {
    const sender = new SFrameSender();
    const receiver = new SFrameReceiver();
    for (const kid of [TWO_53 - 1n, TWO_53]) {
      await sender.addKey(kid, baseKey(1));
      await receiver.addKey(kid, baseKey(1));
    }
    const sealed = await sender.protect(TWO_53 - 1n, bytes(1, 2, 3));
    const header = encodeSFrameHeader(TWO_53 - 1n, 0n);
    const relabelled = Uint8Array.of(...encodeSFrameHeader(TWO_53, 0n), ...sealed.subarray(header.length));
    await expect(receiver.unprotect(relabelled)).rejects.toBeInstanceOf(VerificationError);
    await expect(receiver.unprotect(sealed)).resolves.toMatchObject({ kid: TWO_53 - 1n });
  });

  it('names an unknown KID above 2^53 as unknown, not as a held one', async () => {
    const sender = new SFrameSender();
    await sender.addKey(TWO_53 + 1n, baseKey(1));
    const receiver = new SFrameReceiver();
    await receiver.addKey(TWO_53, baseKey(1));
    await expect(receiver.unprotect(await sender.protect(TWO_53 + 1n, bytes(1)))).rejects.toBeInstanceOf(UnknownKeyError);
    expect(receiver.removeKey(TWO_53)).toBe(true);
    expect(receiver.kids()).toEqual([]);
  });

  it('opens a parsed frame only in the receiver that parsed it', async () => {
    const sender = new SFrameSender();
    await sender.addKey(1n, baseKey(2));
    const [mine, other] = [new SFrameReceiver(), new SFrameReceiver()];
    await mine.addKey(1n, baseKey(2));
    await other.addKey(1n, baseKey(3));
    const sealed = await sender.protect(1n, bytes(7));
    const parsed = mine.parse(sealed);
    await expect(other.open(parsed, sealed, new Uint8Array(0), 0, (p) => p)).rejects.toMatchObject({ name: 'ParameterError' });
    await expect(mine.open(parsed, sealed, new Uint8Array(0), 0, (p) => p)).resolves.toEqual(bytes(7));
  });

  it('authenticates metadata longer than the key buffer like any other', async () => {
    const sender = new SFrameSender();
    const receiver = new SFrameReceiver();
    await sender.addKey(1n, baseKey(2));
    await receiver.addKey(1n, baseKey(2));
    const metadata = Uint8Array.from({ length: 200 }, (_, i) => i);
    const sealed = await sender.protect(1n, bytes(4, 5), metadata);
    const altered = metadata.slice();
    altered[150] = (altered[150] as number) ^ 1;
    await expect(receiver.unprotect(sealed, altered)).rejects.toBeInstanceOf(VerificationError);
    expect((await receiver.unprotect(sealed, metadata)).plaintext).toEqual(bytes(4, 5));
  });

  for (const suite of Object.values(CipherSuite)) {
    it(`suite ${suite}: seal and open read nonce and AAD before returning, so the caller may refill them`, async () => {
      const aead = await importAead(suite, Uint8Array.from({ length: suiteParams(suite).Nk }, (_, i) => i));
      const nonce = new Uint8Array(12).fill(3);
      const aad = bytes(1, 2, 3);
      const expected = await aead.seal(nonce.slice(), aad.slice(), bytes(9, 9));
      const sealing = aead.seal(nonce, aad, bytes(9, 9));
      nonce.fill(0);
      aad.fill(0);
      const sealed = await sealing;
      expect(sealed).toEqual(expected);
      nonce.fill(3);
      aad.set([1, 2, 3]);
      const opening = aead.open(nonce, aad, sealed);
      nonce.fill(0);
      aad.fill(0);
      expect(await opening).toEqual(bytes(9, 9));
    });
  }
});
