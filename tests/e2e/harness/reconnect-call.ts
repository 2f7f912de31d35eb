// A two-person encrypted call whose connections can be dropped on the wire, not in the client:
//   - the guest's signaling socket, reset by a TCP proxy in front of the Sealroom server (socket-proxy.ts);
//   - the guest's LiveKit signal connection, reset by a relay in front of LiveKit (livekit-relay.ts),
//     after which livekit-client resumes with an ICE restart;
//   - the same, with the relay answering the guest's resumes with 401, so that Sealroom reconnects
//     from scratch with a fresh token and new peer connections.
// Each drop returns what happened and how long each step took. tests/e2e/reconnect.test.ts asserts on
// what happened; `npm run bench -- reconnect` (bench/reconnect.ts) reports the times. No test asserts
// a time: the waits below are liveness bounds, far above any expected figure.
import { resemblesPattern } from './analysis';
import { startLiveKitRelay, type LiveKitRelay, type RelayConnection } from './livekit-relay';
import { callCode, type CallCodeView, launchMember, type Member, ownId, remoteVideo } from './members';
import { peerConnections, type PeerConnections, waitForMoreFrames } from './media-probe';
import { PATTERNS, sampleVideo } from './pattern';
import { startTestServer, type TestServer } from './server';
import { startSocketProxy, type SocketProxy } from './socket-proxy';
import { admitFirstKnock, createRoom, join, waitForTiles } from './ui';
import { waitUntil } from './wait';

/** Liveness bound of every wait: a step that has not happened by then is not going to. */
export const LIVENESS = { timeoutMs: 60_000, intervalMs: 100 };

/** Timings of one drop, in milliseconds of wall-clock time on the test machine. */
export interface Recovery {
  /** From the drop to the new connection (socket welcomed again, LiveKit connected again, or the fresh join). */
  reconnectMs: number;
  /** From the new connection to both members decoding 15 more frames of each other's pattern. */
  decodingMs: number;
}

export interface LiveKitRecovery extends Recovery {
  /** Signal connections of the guest the relay cut. */
  cut: number;
  before: PeerConnections;
  after: PeerConnections;
  /** Resume attempts the guest made through the relay after the cut. */
  resumes: number;
}

export interface ReconnectCall {
  readonly host: Member;
  readonly guest: Member;
  readonly members: readonly Member[];
  /** The guest's signaling proxy, e.g. to stall it. */
  readonly guestProxy: SocketProxy;
  /** The LiveKit participant id of a member. */
  idOf(member: Member): string;
  /** Host creates a room, guest knocks and is admitted, both decode each other. */
  start(): Promise<void>;
  /** Both members decode 15 more frames of each other, showing each other's pattern. */
  decodingBothWays(): Promise<void>;
  /** Both pages' call security codes. */
  codes(): Promise<[CallCodeView, CallCodeView]>;
  resetSignaling(): Promise<Recovery>;
  resetLiveKit(): Promise<LiveKitRecovery>;
  refuseLiveKitResume(): Promise<LiveKitRecovery>;
  close(): Promise<void>;
}

export async function startReconnectCall(): Promise<ReconnectCall> {
  const relay: LiveKitRelay = await startLiveKitRelay();
  const proxies: SocketProxy[] = [];
  let server: TestServer | undefined;
  const members: Member[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(members.map((m) => m.close()));
    await server?.close();
    await Promise.all(proxies.map((p) => p.close()));
    await relay.close();
  };
  try {
    for (let i = 0; i < 2; i++) proxies.push(await startSocketProxy());
    server = await startTestServer({ origins: proxies.map((p) => p.origin), liveKitUrl: relay.url });
    for (const proxy of proxies) proxy.forwardTo(server.port);
    members.push(await launchMember('host', proxies[0]!.origin, PATTERNS[0]!));
    members.push(await launchMember('guest', proxies[1]!.origin, PATTERNS[1]!));
  } catch (error) {
    await close();
    throw error;
  }
  const [host, guest] = members as [Member, Member];
  const [hostProxy, guestProxy] = proxies as [SocketProxy, SocketProxy];
  const ids = new Map<Member, string>();
  const idOf = (m: Member): string => {
    const id = ids.get(m);
    if (id === undefined) throw new Error('the call was not started');
    return id;
  };

  const decodingBothWays = async (): Promise<void> => {
    await Promise.all(
      [
        [host, guest],
        [guest, host],
      ].map(async ([viewer, sender]) => {
        const video = remoteVideo(idOf(sender!));
        await waitForMoreFrames(viewer!.page, video, 15, LIVENESS);
        await waitUntil(`${viewer!.name} seeing ${sender!.name}'s pattern`, () => sampleVideo(viewer!.page, video, 1000), (s) => resemblesPattern(s, sender!.pattern.quadrants), LIVENESS);
      }),
    );
  };

  /** Times `decodingBothWays` from `since`. */
  const decodingSince = async (since: number): Promise<number> => {
    await decodingBothWays();
    return Date.now() - since;
  };

  const signal = (after: number, resume: boolean) => (c: RelayConnection) => c.identity === idOf(guest) && c.seq > after && c.resume === resume && !c.path.endsWith('/validate');
  const lastSeq = () => relay.accepted.at(-1)?.seq ?? 0;
  const status = (m: Member, attribute: 'data-call-status' | 'data-signaling') => m.page.getByTestId('call-view').getAttribute(attribute, { timeout: 1000 });

  return {
    host,
    guest,
    members,
    guestProxy,
    idOf,
    decodingBothWays,
    close,
    codes: () => Promise.all([callCode(host.page), callCode(guest.page)]),

    async start() {
      const link = await createRoom(host.page, hostProxy.origin);
      await join(host.page, 'Alice');
      await guest.page.goto(link.replace(hostProxy.origin, guestProxy.origin));
      await join(guest.page, 'Bob');
      await admitFirstKnock(host.page);
      for (const m of members) {
        await waitForTiles(m.page, 2, LIVENESS);
        ids.set(m, await ownId(m.page));
      }
      await decodingBothWays();
    },

    async resetSignaling() {
      const sockets = guestProxy.sockets;
      const cutAt = Date.now();
      guestProxy.cut();
      await waitUntil('a new signaling socket from the guest', () => guestProxy.sockets, (n) => n > sockets, LIVENESS);
      await waitUntil('the guest welcomed again', () => status(guest, 'data-signaling'), (s) => s === 'open', LIVENESS);
      const backAt = Date.now();
      return { reconnectMs: backAt - cutAt, decodingMs: await decodingSince(backAt) };
    },

    async resetLiveKit() {
      const before = await peerConnections(guest.page);
      const after = lastSeq();
      const cutAt = Date.now();
      const cut = relay.cut((c) => c.identity === idOf(guest));
      await waitUntil('a resume through the relay', () => relay.accepted.filter(signal(after, true)).length, (n) => n > 0, LIVENESS);
      const restarted = await waitUntil('new ICE credentials on the guest', () => peerConnections(guest.page), (pcs) => pcs.ufrags.some((u) => !before.ufrags.includes(u)), LIVENESS);
      await waitUntil('the guest connected again', () => status(guest, 'data-call-status'), (s) => s === 'connected', LIVENESS);
      const backAt = Date.now();
      const decodingMs = await decodingSince(backAt);
      return { cut, before, after: restarted, resumes: relay.accepted.filter(signal(after, true)).length, reconnectMs: backAt - cutAt, decodingMs };
    },

    async refuseLiveKitResume() {
      const before = await peerConnections(guest.page);
      const after = lastSeq();
      const stopRefusing = relay.refuse((c) => c.identity === idOf(guest) && c.resume);
      const cutAt = Date.now();
      let cut: number;
      try {
        cut = relay.cut((c) => c.identity === idOf(guest));
        await waitUntil('a fresh join (not a resume) through the relay', () => relay.accepted.filter(signal(after, false)).length, (n) => n > 0, LIVENESS);
      } finally {
        stopRefusing();
      }
      const joinedAt = Date.now();
      const decodingMs = await decodingSince(joinedAt);
      return { cut, before, after: await peerConnections(guest.page), resumes: relay.accepted.filter(signal(after, true)).length, reconnectMs: joinedAt - cutAt, decodingMs };
    },
  };
}
