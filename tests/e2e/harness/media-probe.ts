// Reads, from inside a Sealroom page, what the media features tests check: the tracks its
// RTCRtpSenders carry (which device, which processing), how many frames each remote <video>'s
// track has decoded, how much remote audio was decoded, the ICE credentials of its peer connections (an ICE restart changes them), and
// how sharp a picture is across the middle (a blurred background softens the pattern's edges).
// Page code is passed as strings (see stats.ts).
import type { Evaluates } from './stats';
import { waitUntil, type WaitOptions } from './wait';

const REGISTRY = 'window.__sealroomPeerConnections';

export interface SenderTrack {
  kind: string;
  label: string;
  readyState: string;
  deviceId: string | null;
  noiseSuppression: boolean | null;
  width: number | null;
}

/** The track on every sender of every open peer connection (null tracks left out). */
export function senderTracks(page: Evaluates): Promise<SenderTrack[]> {
  return page.evaluate(`(() => {
    const out = [];
    for (const pc of ${REGISTRY} ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const sender of pc.getSenders()) {
        const t = sender.track;
        if (!t) continue;
        const s = t.getSettings();
        out.push({ kind: t.kind, label: t.label, readyState: t.readyState, deviceId: s.deviceId ?? null, noiseSuppression: s.noiseSuppression ?? null, width: s.width ?? null });
      }
    }
    return out;
  })()`) as Promise<SenderTrack[]>;
}

export interface DecodedFrames {
  /** The id of the MediaStreamTrack the <video> shows ('' while none). */
  track: string;
  frames: number;
}

/** Frames decoded so far of the track the <video> matching `selector` shows. */
function framesDecodedFor(page: Evaluates, selector: string): Promise<DecodedFrames> {
  return page.evaluate(`(async () => {
    const video = document.querySelector(${JSON.stringify(selector)});
    const track = video?.srcObject?.getVideoTracks?.()[0];
    if (!track) return { track: '', frames: 0 };
    let frames = 0;
    for (const pc of ${REGISTRY} ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const stat of (await pc.getStats()).values()) {
        if (stat.type === 'inbound-rtp' && stat.kind === 'video' && stat.trackIdentifier === track.id) frames += stat.framesDecoded ?? 0;
      }
    }
    return { track: track.id, frames };
  })()`) as Promise<DecodedFrames>;
}

/**
 * Waits until the <video> matching `selector` has shown `count` more decoded frames than now. When
 * the <video> gets another track (a resubscription), that track's frames all count.
 */
export async function waitForMoreFrames(page: Evaluates, selector: string, count: number, options?: WaitOptions): Promise<DecodedFrames> {
  const start = await framesDecodedFor(page, selector);
  return waitUntil(
    `${count} more decoded frames in ${selector}`,
    () => framesDecodedFor(page, selector),
    (now) => now.track !== '' && now.frames - (now.track === start.track ? start.frames : 0) >= count,
    options,
  );
}

export interface InboundAudio {
  /** Samples decoded so far, over every inbound audio stream. */
  samples: number;
  /** Their summed energy (silence adds nothing). */
  energy: number;
}

export function inboundAudio(page: Evaluates): Promise<InboundAudio> {
  return page.evaluate(`(async () => {
    let samples = 0, energy = 0;
    for (const pc of ${REGISTRY} ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const stat of (await pc.getStats()).values()) {
        if (stat.type !== 'inbound-rtp' || stat.kind !== 'audio') continue;
        samples += stat.totalSamplesReceived ?? 0;
        energy += stat.totalAudioEnergy ?? 0;
      }
    }
    return { samples, energy };
  })()`) as Promise<InboundAudio>;
}

export interface PeerConnections {
  /** Peer connections the page ever made. */
  made: number;
  /** ice-ufrag of the local description of every open one. */
  ufrags: string[];
}

export function peerConnections(page: Evaluates): Promise<PeerConnections> {
  return page.evaluate(`(() => {
    const all = ${REGISTRY} ?? [];
    const ufrags = all.filter((pc) => pc.connectionState !== 'closed' && pc.localDescription)
      .map((pc) => /a=ice-ufrag:(\\S+)/.exec(pc.localDescription.sdp)?.[1] ?? '');
    return { made: all.length, ufrags };
  })()`) as Promise<PeerConnections>;
}

/**
 * How sharp the picture of the <video> matching `selector` is across its vertical centre line, in
 * its top half (where Sealroom's test pattern changes colour): the colour step over 1/80 of the
 * width on each side of the line, divided by the step over 1/8 of the width. About 1 for a hard
 * edge (the pattern as sent), well below 1 when it was blurred.
 */
export function centreEdgeSharpness(page: Evaluates, selector: string): Promise<number> {
  return page.evaluate(`(() => {
    const video = document.querySelector(${JSON.stringify(selector)});
    if (!(video instanceof HTMLVideoElement) || video.videoWidth === 0) throw new Error('no playing video for ${selector.replaceAll("'", '')}');
    const w = video.videoWidth, h = video.videoHeight;
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, 0, 0);
    const row = (y) => context.getImageData(0, y, w, 1).data;
    const step = (data, d) => {
      const a = (Math.round(w / 2) - d) * 4, b = (Math.round(w / 2) + d) * 4;
      return Math.hypot(data[a] - data[b], data[a + 1] - data[b + 1], data[a + 2] - data[b + 2]);
    };
    let near = 0, far = 0;
    for (const y of [0.15, 0.2, 0.25, 0.3].map((f) => Math.round(f * h))) {
      const data = row(y);
      near += step(data, Math.max(1, Math.round(w / 80)));
      far += step(data, Math.round(w / 8));
    }
    return far === 0 ? 0 : near / far;
  })()`) as Promise<number>;
}

export interface TransformCoverage {
  senders: number;
  receivers: number;
  /** Senders and receivers without an RTCRtpScriptTransform. */
  bare: number;
}

/** Every sender and receiver of every open peer connection, and how many carry no RTCRtpScriptTransform. */
export function transformCoverage(page: Evaluates): Promise<TransformCoverage> {
  return page.evaluate(`(() => {
    const out = { senders: 0, receivers: 0, bare: 0 };
    for (const pc of ${REGISTRY} ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const t of pc.getTransceivers()) {
        for (const [side, endpoint] of [['senders', t.sender], ['receivers', t.receiver]]) {
          out[side] += 1;
          if (!(endpoint.transform instanceof RTCRtpScriptTransform)) out.bare += 1;
        }
      }
    }
    return out;
  })()`) as Promise<TransformCoverage>;
}
