// The measuring stick for Firefox's fake camera in the cross-engine browser tests
// (tests/e2e/harness/fake-camera.ts), checked without a browser: it must accept the colours
// firefox-esr 153 was measured to send, and refuse what a broken call shows instead.
import { describe, expect, it } from 'vitest';
import type { Quadrants, Rgb } from '../e2e/harness/analysis';
import { fakeCameraMoved, fakeCameraView, looksLikeFirefoxFakeCamera } from '../e2e/harness/fake-camera';
import { PATTERNS } from '../e2e/harness/pattern';
import { type RgbSample, SAMPLE_SIZE } from '../e2e/rawpeer/api';

function sampleOf(quadrants: Quadrants): RgbSample {
  const { width, height } = SAMPLE_SIZE;
  const rgb: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgb.push(...(quadrants[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)] ?? [0, 0, 0]));
  }
  return { width, height, sourceWidth: 640, sourceHeight: 480, rgb };
}

const plain = (colour: Rgb) => sampleOf([colour, colour, colour, colour]);
/** What firefox-esr 153's fake camera showed, half a second apart. */
const MEASURED: Rgb[] = [[0, 255, 0], [0, 236, 56], [0, 207, 202], [0, 178, 255], [71, 117, 255]];

/** 8x8 blocks of pseudo-random grey and green, like VP8 decoding bytes it cannot make sense of. */
function garbage(): RgbSample {
  const { width, height } = SAMPLE_SIZE;
  let x = 7;
  const blocks = Array.from({ length: 64 }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return [x % 90, 100 + (x % 120), x % 70] as Rgb;
  });
  const rgb: number[] = [];
  for (let y = 0; y < height; y++) for (let c = 0; c < width; c++) rgb.push(...blocks[((y >> 2) * 8 + (c >> 2)) % 64]!);
  return { width, height, sourceWidth: 640, sourceHeight: 480, rgb };
}

describe("Firefox's fake camera, seen by a receiver", () => {
  it('is recognised in every colour it was measured to show', () => {
    for (const colour of MEASURED) expect(looksLikeFirefoxFakeCamera(plain(colour))).toBe(true);
    expect(fakeCameraView(plain([0, 207, 202]))).toEqual({ colour: [0, 207, 202], spread: 0 });
  });

  it('is not black, grey, a dim colour, garbage, or one of the Chromium patterns', () => {
    for (const colour of [[0, 0, 0], [128, 128, 128], [240, 240, 240], [0, 120, 60]] as Rgb[]) expect(looksLikeFirefoxFakeCamera(plain(colour))).toBe(false);
    expect(looksLikeFirefoxFakeCamera(garbage())).toBe(false);
    for (const pattern of PATTERNS) expect(looksLikeFirefoxFakeCamera(sampleOf(pattern.quadrants))).toBe(false);
  });

  it('counts as moving only when the colour turned between two samples', () => {
    expect(fakeCameraMoved(plain([0, 255, 0]), plain([0, 207, 202]))).toBe(true);
    expect(fakeCameraMoved(plain([0, 207, 202]), plain([0, 207, 202]))).toBe(false); // a frozen picture
    expect(fakeCameraMoved(plain([0, 255, 0]), plain([0, 0, 0]))).toBe(false); // went black
  });
});
