// Waits until every <video> in the call view shows decoded pictures, so a screenshot never catches a
// tile whose element exists but whose first frame has not been decoded yet (the black remote tile
// the README's call screenshot used to show: it was taken as soon as the <video> was attached, before
// the first keyframe had arrived, been decrypted and decoded).
import type { Page } from 'playwright-core';
import { waitUntil, type WaitOptions } from './wait';

/** Decoded frames each video must have shown: a few past the first, so the picture is current. */
const FRAMES = 10;

export interface VideoState {
  readyState: number;
  width: number;
  decoded: number;
}

function videoStates(page: Page, scope = '[data-testid=call-view]'): Promise<VideoState[]> {
  return page.locator(`${scope} video`).evaluateAll((videos) =>
    videos.map((element) => {
      const v = element as HTMLVideoElement;
      const quality = v.getVideoPlaybackQuality();
      return { readyState: v.readyState, width: v.videoWidth, decoded: quality.totalVideoFrames - quality.droppedVideoFrames };
    }),
  );
}

/** Every video in scope (at least `count`) playing with FRAMES decoded frames, and every remote tile decrypting. */
export async function waitForDecodedVideo(page: Page, count: number, options?: WaitOptions): Promise<void> {
  await waitUntil(`${count} video(s) with ${FRAMES} decoded frames each`, () => videoStates(page), (videos) => videos.length >= count && videos.every((v) => v.readyState >= 2 && v.width > 0 && v.decoded >= FRAMES), options);
  await waitUntil(
    'every remote tile end-to-end encrypted',
    () => page.locator('[data-testid=call-view] [data-testid=tile]:not([data-local=true])').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-security'))),
    (states) => states.every((s) => s === 'encrypted'),
    options,
  );
  // Two animation frames, so the compositor has painted the latest decoded picture.
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}
