// Firefox's fake camera (media.navigator.streams.fake), as a receiver sees it: the whole picture is
// one colour, fully saturated (one channel near 0, one near 255 as the hue turns: measured with
// firefox-esr 153, e.g. (0, 255, 0), (0, 207, 202), (71, 117, 255) half a second apart), and that
// colour keeps changing. Firefox cannot play a Y4M file like Chromium's pattern (pattern.ts), so this
// is how a test tells that Firefox's video decoded: black, grey, a frozen picture, decoded garbage
// (blocky, not one colour) or a Chromium pattern (four colours) all fail. Pure; checked in
// tests/unit/e2e-fake-camera.test.ts.
import type { RgbSample } from '../rawpeer/api';
import { colourDistance, quadrantColours, type Rgb } from './analysis';

/** Largest colourDistance between two quadrants of a picture that still counts as one colour. */
const UNIFORM_TOLERANCE = 40;
/** The brightest channel of the fake camera's colour is at least this. */
const MIN_BRIGHTEST = 150;
/** Brightest minus darkest channel: the fake camera's colour is saturated. */
const MIN_SATURATION = 120;
/** Two samples of the turning hue taken seconds apart differ by at least this. */
const MIN_HUE_TURN = 40;

export interface FakeCameraView {
  /** Mean colour of the four quadrants. */
  colour: Rgb;
  /** Largest distance between two quadrants' colours. */
  spread: number;
}

export function fakeCameraView(sample: RgbSample): FakeCameraView {
  const quadrants = quadrantColours(sample);
  let spread = 0;
  for (const a of quadrants) for (const b of quadrants) spread = Math.max(spread, colourDistance(a, b));
  const mean = (c: number) => quadrants.reduce((sum, q) => sum + q[c]!, 0) / quadrants.length;
  return { colour: [mean(0), mean(1), mean(2)], spread };
}

/** One saturated, bright colour over the whole picture. */
export function looksLikeFirefoxFakeCamera(sample: RgbSample): boolean {
  const { colour, spread } = fakeCameraView(sample);
  const brightest = Math.max(...colour);
  return spread <= UNIFORM_TOLERANCE && brightest >= MIN_BRIGHTEST && brightest - Math.min(...colour) >= MIN_SATURATION;
}

/** Both samples look like the fake camera, and its colour moved on between them. */
export function fakeCameraMoved(first: RgbSample, later: RgbSample): boolean {
  return (
    looksLikeFirefoxFakeCamera(first) &&
    looksLikeFirefoxFakeCamera(later) &&
    colourDistance(fakeCameraView(first).colour, fakeCameraView(later).colour) >= MIN_HUE_TURN
  );
}
