// A deterministic fake camera per participant, and reading a <video> back to tell whose it is.
//
// writePatternY4m writes a Y4M file (I420, 640x360, 30 fps, FRAMES frames, played in a loop by
// Chromium's --use-file-for-fake-video-capture, see browser.ts) showing four solid colour quadrants
// from PATTERNS, plus a small grey square that moves along the horizontal centre line so the encoder
// has something to send in delta frames. sampleVideo scales a <video>'s current picture down to
// SAMPLE_SIZE; analysis.ts's patternDistance / resemblesPattern then compare it to a pattern (they
// look at the middle of each quadrant only, away from the moving square).
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RgbSample, SAMPLE_SIZE } from '../rawpeer/api';
import type { Quadrants, Rgb } from './analysis';
import type { Evaluates } from './stats';

export interface Pattern {
  name: string;
  quadrants: Quadrants;
}

const RED: Rgb = [220, 40, 40];
const GREEN: Rgb = [40, 190, 60];
const BLUE: Rgb = [40, 60, 220];
const YELLOW: Rgb = [230, 210, 40];
const MAGENTA: Rgb = [210, 40, 200];
const CYAN: Rgb = [40, 200, 210];
const ORANGE: Rgb = [240, 140, 30];
const VIOLET: Rgb = [120, 50, 180];

/** One pattern per participant: any two differ by more than 2 * PATTERN_TOLERANCE in every quadrant. */
export const PATTERNS: readonly Pattern[] = [
  { name: 'red-green-blue-yellow', quadrants: [RED, GREEN, BLUE, YELLOW] },
  { name: 'cyan-magenta-orange-violet', quadrants: [CYAN, MAGENTA, ORANGE, VIOLET] },
  { name: 'yellow-blue-green-red', quadrants: [YELLOW, BLUE, GREEN, RED] },
  { name: 'violet-orange-magenta-cyan', quadrants: [VIOLET, ORANGE, MAGENTA, CYAN] },
];

export interface Y4mFormat {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frames: number;
}

export const Y4M: Y4mFormat = { width: 640, height: 360, fps: 30, frames: 15 };
const SQUARE = 40;
const SQUARE_LUMA = 128;

/** BT.601 limited range, what Chromium assumes for a Y4M capture. */
function toYuv([r, g, b]: Rgb): [number, number, number] {
  const y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
  const u = 128 + (-37.797 * r - 74.203 * g + 112 * b) / 255;
  const v = 128 + (112 * r - 93.786 * g - 18.214 * b) / 255;
  return [Math.round(y), Math.round(u), Math.round(v)];
}

/** The whole file: header, then FRAME\n and the Y, U and V planes of each frame. */
export function patternY4m(pattern: Pattern, format: Y4mFormat = Y4M): Buffer {
  const { width, height, fps, frames } = format;
  const yuv = pattern.quadrants.map(toYuv);
  const quadrant = (x: number, y: number) => yuv[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)] ?? [0, 128, 128];
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const marker = Buffer.from('FRAME\n', 'ascii');
  const parts: Buffer[] = [header];
  for (let frame = 0; frame < frames; frame++) {
    const luma = Buffer.alloc(width * height);
    const u = Buffer.alloc((width / 2) * (height / 2));
    const v = Buffer.alloc((width / 2) * (height / 2));
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) luma[y * width + x] = quadrant(x, y)[0];
    for (let y = 0; y < height / 2; y++) {
      for (let x = 0; x < width / 2; x++) {
        const [, cu, cv] = quadrant(x * 2, y * 2);
        u[y * (width / 2) + x] = cu;
        v[y * (width / 2) + x] = cv;
      }
    }
    // The moving square: grey, on the horizontal centre line, one step per frame.
    const left = 2 * Math.round(((width - SQUARE) * frame) / (frames - 1) / 2); // even, for the chroma planes
    const top = height / 2 - SQUARE / 2;
    for (let y = top; y < top + SQUARE; y++) luma.fill(SQUARE_LUMA, y * width + left, y * width + left + SQUARE);
    for (let y = top / 2; y < (top + SQUARE) / 2; y++) {
      u.fill(128, y * (width / 2) + left / 2, y * (width / 2) + (left + SQUARE) / 2);
      v.fill(128, y * (width / 2) + left / 2, y * (width / 2) + (left + SQUARE) / 2);
    }
    parts.push(marker, luma, u, v);
  }
  return Buffer.concat(parts);
}

const PATTERN_DIR = join(tmpdir(), 'sealroom-e2e-patterns');

/** Writes (or rewrites, atomically: the content is fixed) the pattern's Y4M file and returns its path. */
export async function writePatternY4m(pattern: Pattern, format: Y4mFormat = Y4M): Promise<string> {
  await mkdir(PATTERN_DIR, { recursive: true });
  const path = join(PATTERN_DIR, `${pattern.name}-${format.width}x${format.height}@${format.fps}.y4m`);
  const partial = `${path}.${randomBytes(6).toString('hex')}.partial`;
  await writeFile(partial, patternY4m(pattern, format));
  await rename(partial, path);
  return path;
}

/**
 * The current picture of the <video> matched by `selector`, scaled down to SAMPLE_SIZE (intrinsic
 * frame: CSS mirroring of a local tile does not apply). Waits up to `timeoutMs` for a first frame.
 * Sealroom's grid: `[data-testid="tile"][data-participant="<id>"] video`.
 */
export function sampleVideo(page: Evaluates, selector: string, timeoutMs = 10_000): Promise<RgbSample> {
  return page.evaluate(`(async () => {
    const selector = ${JSON.stringify(selector)};
    const deadline = Date.now() + ${timeoutMs};
    for (;;) {
      const video = document.querySelector(selector);
      if (video instanceof HTMLVideoElement && video.videoWidth > 0 && video.readyState >= 2) {
        const canvas = document.createElement('canvas');
        canvas.width = ${SAMPLE_SIZE.width};
        canvas.height = ${SAMPLE_SIZE.height};
        const context = canvas.getContext('2d', { willReadFrequently: true });
        context.imageSmoothingQuality = 'high';
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
        const rgb = [];
        for (let i = 0; i < rgba.length; i += 4) rgb.push(rgba[i], rgba[i + 1], rgba[i + 2]);
        return { width: canvas.width, height: canvas.height, sourceWidth: video.videoWidth, sourceHeight: video.videoHeight, rgb };
      }
      if (Date.now() > deadline) throw new Error('no playing <video> matches ' + selector + ' within ${timeoutMs} ms');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })()`) as Promise<RgbSample>;
}
