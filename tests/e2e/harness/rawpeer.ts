// The raw LiveKit peer (tests/e2e/rawpeer) from Node. It is built once per run by prepare.ts into
// RAWPEER_DIST; this serves that directory on 127.0.0.1:0, launches one Chromium per peer, mints
// LiveKit tokens directly from the harness's API key and secret (no Sealroom server involved: this
// is what the SFU's operator can do), and wraps window.rawPeer in typed calls.
//   spy:             subscribes to everything, records every frame; hidden from the room by default.
//   clear publisher: also publishes fake camera and microphone with no transform (the SFU lies).
// Page code is passed as strings (see stats.ts): tsx's keepNames breaks functions given to page.evaluate.
import { randomBytes } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { AccessToken } from 'livekit-server-sdk';
import type { Page } from 'playwright-core';
import type {
  CandidateAddresses,
  ConnectOptions,
  ConnectResult,
  DecodeAttempt,
  FrameFilter,
  PublishedTrack,
  RecordedFrame,
  RecorderTrack,
  Retain,
} from '../rawpeer/api';
import { RAWPEER_DIST } from '../rawpeer/vite.config';
import { launchParticipant, type Participant } from './browser';
import { type WaitOptions, waitUntil } from './wait';

export interface RawPeer {
  readonly identity: string;
  readonly room: string;
  readonly participant: Participant;
  /** Tracks this peer published (clear publisher only). */
  readonly published: readonly PublishedTrack[];
  /** Every URL the page loaded or opened a WebSocket to, in order. */
  readonly urls: readonly string[];
  tracks(): Promise<RecorderTrack[]>;
  frames(filter?: FrameFilter): Promise<RecordedFrame[]>;
  /** Forgets every recorded frame and count; recording goes on. */
  clearFrames(): Promise<void>;
  /** Waits until some recorded track matching `filter` keeps at least `count` frames; returns the matching tracks. */
  waitForFrames(filter: FrameFilter, count: number, options?: WaitOptions): Promise<RecorderTrack[]>;
  /** The WebCodecs check on the given VP8 frames (as recorded, possibly by another peer). */
  decodeVideo(frames: readonly RecordedFrame[]): Promise<DecodeAttempt[]>;
  /** The same on this peer's own recorded video matching `filter` (one track), without a trip through Node. */
  decodeRecordedVideo(filter: FrameFilter): Promise<DecodeAttempt[]>;
  candidates(): Promise<CandidateAddresses>;
  close(): Promise<void>;
}

export interface SpyOptions {
  identity?: string;
  /** LiveKit's hidden grant: other participants do not see the spy (default true). */
  hidden?: boolean;
  maxFramesPerTrack?: number;
  retain?: Retain;
}

export interface ClearPublisherOptions {
  identity?: string;
  /** Y4M file for the fake camera (pattern.ts's writePatternY4m); Chromium's own pattern otherwise. */
  fakeVideo?: string;
}

export interface RawPeers {
  /** http://127.0.0.1:<port>, where the page is served. */
  readonly origin: string;
  startSpy(room: string, options?: SpyOptions): Promise<RawPeer>;
  startClearPublisher(room: string, options?: ClearPublisherOptions): Promise<RawPeer>;
  /**
   * A publisher, as `identity`, whose camera track carries `frames` (recorded elsewhere) instead of
   * its own: the SFU re-publishing one participant's media as another's. Joining as an identity
   * already in the room makes LiveKit disconnect that participant, as a lying SFU would.
   */
  startReplayPublisher(room: string, identity: string, frames: readonly RecordedFrame[]): Promise<RawPeer>;
  /** Closes every peer started here, then the HTTP server. */
  close(): Promise<void>;
}

interface Grant {
  publish: boolean;
  hidden: boolean;
}

/** A LiveKit to join and the key its tokens are signed with: the harness's, or a cluster.ts node. */
export interface LiveKitTarget {
  url: string;
  apiKey: string;
  apiSecret: string;
}

function harnessLiveKit(): LiveKitTarget {
  const { LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET } = process.env;
  if (!LIVEKIT_URL || !LIVEKIT_API_KEY || !LIVEKIT_API_SECRET) throw new Error('no harness LiveKit in the environment: run with `npm run test:e2e`');
  return { url: LIVEKIT_URL, apiKey: LIVEKIT_API_KEY, apiSecret: LIVEKIT_API_SECRET };
}

/** A token for `room` signed with the harness LiveKit's own key: may subscribe; may publish only if asked. */
async function liveKitToken({ apiKey, apiSecret }: LiveKitTarget, room: string, identity: string, grant: Grant): Promise<string> {
  const token = new AccessToken(apiKey, apiSecret, { identity, ttl: 3600 });
  token.addGrant({ roomJoin: true, room, canSubscribe: true, canPublish: grant.publish, canPublishData: false, hidden: grant.hidden });
  return token.toJwt();
}

/** The bytes of a recorded frame, exactly as the SFU delivered them. */
export function frameBytes(frame: RecordedFrame): Uint8Array {
  return new Uint8Array(Buffer.from(frame.data, 'base64'));
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

async function serve(): Promise<{ origin: string; close(): Promise<void> }> {
  try {
    await access(join(RAWPEER_DIST, 'index.html'));
  } catch {
    throw new Error(`the raw peer is not built in ${RAWPEER_DIST}: run the e2e tests with \`npm run test:e2e\` (prepare.ts builds it)`);
  }
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = normalize(join(RAWPEER_DIST, path === '/' ? 'index.html' : decodeURIComponent(path)));
    const send = (status: number, body: Buffer | string, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (!file.startsWith(RAWPEER_DIST + sep)) return send(404, 'not found');
    readFile(file).then(
      (body) => send(200, body, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream'),
      () => send(404, 'not found'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the raw peer server has no TCP address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function call<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

const json = (value: unknown) => JSON.stringify(value);

async function launchRawPeer({ origin, liveKit }: { origin: string; liveKit: LiveKitTarget }, room: string, identity: string, grant: Grant, connect: ConnectOptions, fakeVideo?: string): Promise<RawPeer> {
  const participant = await launchParticipant(identity, origin, fakeVideo === undefined ? {} : { fakeVideo });
  const { page } = participant;
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  page.on('websocket', (socket) => urls.push(socket.url()));
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction('window.rawPeer !== undefined', undefined, { timeout: 10_000 });
    const token = await liveKitToken(liveKit, room, identity, grant);
    const result = await call<ConnectResult>(page, `window.rawPeer.connect(${json(liveKit.url)}, ${json(token)}, ${json(connect)})`);
    if (result.identity !== identity) throw new Error(`joined as ${result.identity}, not ${identity}`);
    const tracks = () => call<RecorderTrack[]>(page, 'window.rawPeer.tracks()');
    return {
      identity,
      room,
      participant,
      published: result.published,
      urls,
      tracks,
      frames: (filter = {}) => call(page, `window.rawPeer.frames(${json(filter)})`),
      clearFrames: () => call(page, 'window.rawPeer.clearFrames()'),
      waitForFrames: (filter, count, options) =>
        waitUntil(
          `a track matching ${json(filter)} with ${count} recorded frames at ${identity}`,
          async () =>
            (await tracks()).filter(
              (track) =>
                (filter.identity === undefined || track.identity === filter.identity) &&
                (filter.trackSid === undefined || track.trackSid === filter.trackSid) &&
                (filter.kind === undefined || track.kind === filter.kind),
            ),
          (matching) => matching.some((track) => track.kept >= count),
          options,
        ),
      decodeVideo: (frames) => call(page, `window.rawPeer.decodeVideo(${json(frames)})`),
      decodeRecordedVideo: (filter) => call(page, `window.rawPeer.frames(${json(filter)}).then((frames) => window.rawPeer.decodeVideo(frames))`),
      candidates: () => call(page, 'window.rawPeer.candidates()'),
      async close() {
        await call(page, 'window.rawPeer.disconnect()').catch(() => undefined);
        await participant.close();
      },
    };
  } catch (error) {
    await participant.close();
    throw error;
  }
}

const randomIdentity = (role: string) => `${role}-${randomBytes(4).toString('hex')}`;

/** Raw peers that join `liveKit` (the harness LiveKit by default). */
export async function startRawPeers(liveKit: LiveKitTarget = harnessLiveKit()): Promise<RawPeers> {
  const server = await serve();
  const at = { origin: server.origin, liveKit };
  const peers: RawPeer[] = [];
  const started = async (peer: Promise<RawPeer>) => {
    const ready = await peer;
    peers.push(ready);
    return ready;
  };
  return {
    origin: server.origin,
    startSpy: (room, options = {}) =>
      started(
        launchRawPeer(
          at,
          room,
          options.identity ?? randomIdentity('spy'),
          { publish: false, hidden: options.hidden ?? true },
          {
            publish: false,
            ...(options.maxFramesPerTrack === undefined ? {} : { maxFramesPerTrack: options.maxFramesPerTrack }),
            ...(options.retain === undefined ? {} : { retain: options.retain }),
          },
        ),
      ),
    startReplayPublisher: (room, identity, frames) =>
      started(launchRawPeer(at, room, identity, { publish: true, hidden: false }, { publish: true, replay: frames.map((f) => f.data) })),
    startClearPublisher: (room, options = {}) =>
      started(launchRawPeer(at, room, options.identity ?? randomIdentity('clear'), { publish: true, hidden: false }, { publish: true }, options.fakeVideo)),
    async close() {
      await Promise.all(peers.map((peer) => peer.close()));
      await server.close();
    },
  };
}
