import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader, Writer, concat, equalBytes, fromBase64Url, fromUtf8, toBase64Url, u16, u64, utf8, CodecError, Reason } from '../../crypto/index';

function codecReason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodecError) return e.reason;
    throw e;
  }
  throw new Error('expected a CodecError');
}

describe('base64url', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      }),
    );
  });

  it('encodes with the RFC 4648 §5 alphabet and no padding', () => {
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    expect(toBase64Url(utf8('foobar'))).toBe('Zm9vYmFy');
    expect(toBase64Url(utf8('fo'))).toBe('Zm8');
  });

  it('gives every value exactly one text form: stray low bits are rejected', () => {
    // "Zm9" and "Zm8" would both decode to "fo" if the low bits were ignored.
    expect(fromBase64Url('Zm8')).toEqual(utf8('fo'));
    expect(codecReason(() => fromBase64Url('Zm9'))).toBe(Reason.malformed);
  });

  it('rejects characters outside the alphabet, padding and impossible lengths', () => {
    for (const text of ['Zm9v+mFy', 'Zm9v/mFy', 'Zm8=', 'Zm 8', 'Zmé8', 'Z']) {
      expect(codecReason(() => fromBase64Url(text))).toBe(Reason.malformed);
    }
  });
});

describe('integers', () => {
  it('writes big-endian u16 and u64', () => {
    expect(u16(0x1234)).toEqual(Uint8Array.of(0x12, 0x34));
    expect(u64(0x0102030405060708n)).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
  });

  it('refuses values out of range', () => {
    for (const fn of [() => u16(0x10000), () => u16(-1), () => u16(1.5), () => u64(-1n), () => u64(1n << 64n), () => new Writer().u8(256)]) {
      expect(codecReason(fn)).toBe(Reason.outOfRange);
    }
  });

  it('reads back what the writer wrote', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.uint8Array({ maxLength: 40 }), (a, b, c, d) => {
        const r = new Reader(new Writer().u8(a).u16(b).u64(c).vec16(d).finish(), 'test');
        expect([r.u8(), r.u16(), r.u64(), r.vec16(40)]).toEqual([a, b, c, d]);
        r.end();
      }),
    );
  });
});

describe('Reader', () => {
  it('reports truncation, trailing bytes and over-long fields with distinct reasons', () => {
    expect(codecReason(() => new Reader(Uint8Array.of(1), 'x').u16())).toBe(Reason.truncated);
    expect(codecReason(() => new Reader(Uint8Array.of(1, 2), 'x').end())).toBe(Reason.trailingBytes);
    expect(codecReason(() => new Reader(new Writer().vec16(new Uint8Array(5)).finish(), 'x').vec16(4))).toBe(Reason.fieldTooLong);
    expect(codecReason(() => new Reader(Uint8Array.of(0, 5, 1, 2), 'x').vec16(10))).toBe(Reason.truncated);
  });
});

describe('helpers', () => {
  it('compares bytes by value and length', () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
  });

  it('concatenates in order', () => {
    expect(concat(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('refuses text that is not UTF-8', () => {
    expect(fromUtf8(utf8('Zoë'))).toBe('Zoë');
    expect(codecReason(() => fromUtf8(Uint8Array.of(0xc3, 0x28)))).toBe(Reason.malformed);
  });
});
