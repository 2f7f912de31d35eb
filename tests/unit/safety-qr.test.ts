import { decodeQR } from '@paulmillr/qr/decode.js';
import { describe, expect, it } from 'vitest';
import { QUIET_ZONE, safetyQr } from '../../client/src/lib/e2ee/safety-qr';
import { fromBase64Url, decodeIdentity, matchesScannedSafetyNumber, safetyNumberBytes } from '../../crypto/index';

const SCALE = 4;

/**
 * Fixed identities, so the test is the same every run: @paulmillr/qr's image decoder, used here as
 * the scanner, fails on about 1.5% of random symbols (measured over 200), which says more about that
 * decoder than about the symbol, and would make a random-key test flaky.
 */
const identity = (n: number) => decodeIdentity(Uint8Array.of(1, ...new Uint8Array(32).fill(n)));

/** Paint the drawing's path the way a screen does, white background, SCALE pixels per module. */
function rasterize(size: number, path: string): { width: number; height: number; data: Uint8Array } {
  const width = size * SCALE;
  const data = new Uint8Array(width * width * 4).fill(255);
  const squares = [...path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)];
  expect(squares.map((m) => m[0]).join('')).toBe(path); // the path is nothing but unit squares
  for (const [, x, y] of squares) {
    for (let dy = 0; dy < SCALE; dy++) {
      for (let dx = 0; dx < SCALE; dx++) {
        const at = ((Number(y) * SCALE + dy) * width + Number(x) * SCALE + dx) * 4;
        data.fill(0, at, at + 3);
      }
    }
  }
  return { width, height: width, data };
}

describe('safety number QR code', () => {
  it('scans back to the versioned safety-number bytes of exactly these two keys', () => {
    const [alice, bob, mallory] = [identity(1), identity(2), identity(3)];
    const drawing = safetyQr(safetyNumberBytes(alice.publicKey, bob.publicKey));
    const scanned = fromBase64Url(decodeQR(rasterize(drawing.size, drawing.path)));
    expect(scanned).toEqual(safetyNumberBytes(bob.publicKey, alice.publicKey));
    expect(matchesScannedSafetyNumber(bob.publicKey, alice.publicKey, scanned)).toBe(true);
    expect(matchesScannedSafetyNumber(alice.publicKey, mallory.publicKey, scanned)).toBe(false);
  });

  it('keeps a quiet zone of four light modules on every side', () => {
    const drawing = safetyQr(safetyNumberBytes(identity(4).publicKey, identity(5).publicKey));
    const coordinates = [...drawing.path.matchAll(/M(\d+) (\d+)/g)].flatMap((m) => [Number(m[1]), Number(m[2])]);
    expect(Math.min(...coordinates)).toBe(QUIET_ZONE);
    expect(Math.max(...coordinates)).toBe(drawing.size - QUIET_ZONE - 1);
  });
});
