// WebRTC receive statistics read from inside the page: every RTCPeerConnection is recorded by an init
// script, and inbound-rtp reports are summed over all of them.
//
// Page code is passed as strings, not functions: tsx compiles with esbuild's keepNames, which adds
// `__name(...)` calls that do not exist in the page.
import type { BrowserContext } from 'playwright-core';
import { type WaitOptions, waitUntil } from './wait';

/** Any engine's page (a playwright Page, engines.ts's EnginePage): all these readers need is evaluate. */
export interface Evaluates {
  evaluate(expression: string): Promise<unknown>;
}

const REGISTRY = '__sealroomPeerConnections';

/** Replaces window.RTCPeerConnection with a subclass that records each instance in a page-global list. */
export const PEER_CONNECTION_RECORDER = `(() => {
  if (window.${REGISTRY} !== undefined) return;
  const Native = window.RTCPeerConnection;
  const recorded = [];
  Object.defineProperty(window, '${REGISTRY}', { value: recorded });
  class RecordedPeerConnection extends Native {
    constructor(...args) {
      super(...args);
      recorded.push(this);
    }
  }
  window.RTCPeerConnection = RecordedPeerConnection;
  if (window.webkitRTCPeerConnection !== undefined) window.webkitRTCPeerConnection = RecordedPeerConnection;
})();`;

export async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: PEER_CONNECTION_RECORDER });
}

export interface InboundMedia {
  peerConnections: number;
  video: { streams: number; framesDecoded: number; frameWidth: number; frameHeight: number };
  audio: { streams: number; totalAudioEnergy: number };
}

const READ_INBOUND = `(async () => {
  const result = {
    peerConnections: 0,
    video: { streams: 0, framesDecoded: 0, frameWidth: 0, frameHeight: 0 },
    audio: { streams: 0, totalAudioEnergy: 0 },
  };
  for (const pc of window.${REGISTRY} ?? []) {
    if (pc.connectionState === 'closed') continue;
    result.peerConnections += 1;
    let report;
    try {
      report = await pc.getStats();
    } catch {
      continue;
    }
    for (const stat of report.values()) {
      if (stat.type !== 'inbound-rtp') continue;
      if (stat.kind === 'video') {
        result.video.streams += 1;
        result.video.framesDecoded += stat.framesDecoded ?? 0;
        result.video.frameWidth = Math.max(result.video.frameWidth, stat.frameWidth ?? 0);
        result.video.frameHeight = Math.max(result.video.frameHeight, stat.frameHeight ?? 0);
      } else if (stat.kind === 'audio') {
        result.audio.streams += 1;
        result.audio.totalAudioEnergy += stat.totalAudioEnergy ?? 0;
      }
    }
  }
  return result;
})()`;

/** Inbound video and audio, summed over every open peer connection of the page. */
function inboundMedia(page: Evaluates): Promise<InboundMedia> {
  return page.evaluate(READ_INBOUND) as Promise<InboundMedia>;
}

/** Waits until the page has decoded more than `minFrames` frames of remote video with a known size. */
export function waitForDecodedVideo(page: Evaluates, minFrames: number, options?: WaitOptions): Promise<InboundMedia> {
  return waitUntil(
    `more than ${minFrames} decoded remote video frames with a width`,
    () => inboundMedia(page),
    (media) => media.video.framesDecoded > minFrames && media.video.frameWidth > 0,
    options,
  );
}

/**
 * Waits for remote audio energy above zero, then for it to rise above that first sample.
 * Returns both samples. Energy only grows while decoded, non-silent audio is played out.
 */
export async function waitForRisingAudio(page: Evaluates, options?: WaitOptions): Promise<[InboundMedia, InboundMedia]> {
  const first = await waitUntil(
    'remote audio energy above zero',
    () => inboundMedia(page),
    (media) => media.audio.totalAudioEnergy > 0,
    options,
  );
  const second = await waitUntil(
    `remote audio energy rising above ${first.audio.totalAudioEnergy}`,
    () => inboundMedia(page),
    (media) => media.audio.totalAudioEnergy > first.audio.totalAudioEnergy,
    options,
  );
  return [first, second];
}
