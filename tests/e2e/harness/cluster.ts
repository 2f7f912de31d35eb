// The media side of a multi-node deployment, on loopback inside the test's namespace: one Redis and
// N LiveKit nodes on it (scripts/livekit/cluster.ts), optionally with a load balancer in front of
// the nodes' signal ports (livekit-relay.ts, sticky per participant). `startCallCluster` adds
// Sealroom node processes on the same Redis (each handing out its own LiveKit node's URL, with the
// cluster's one key pair) and HAProxy running deploy/haproxy.cfg in front of them, through the
// server tier's kit (tests/server/cluster-kit.ts), so both tiers run the same rendering of it.
import { type LiveKitCluster, startLiveKitCluster } from '../../../scripts/livekit/cluster';
import { freeLoopbackPort, type NodeProcess, startHaproxy, startNode, stopAll, until } from '../../server/cluster-kit';
import { byParticipant, type LiveKitRelay, startLiveKitRelay } from './livekit-relay';
import { type RedisHandle, type RedisOptions, startRedis } from './redis';

export interface MediaClusterOptions {
  /** LiveKit nodes on the Redis (default 2). */
  liveKitNodes?: number;
  redis?: RedisOptions;
  /** Also start a balancer that spreads participants over the nodes, one node per participant (default false). */
  balancer?: boolean;
}

export interface MediaCluster {
  readonly redis: RedisHandle;
  readonly livekit: LiveKitCluster;
  /** Present when asked for: its `url` is what a Sealroom node hands out, and `accepted` says which node each connection went to. */
  readonly balancer: LiveKitRelay | undefined;
  /** Balancer, LiveKit nodes, then Redis; safe to call twice. */
  stop(): Promise<void>;
}

export async function startMediaCluster(options: MediaClusterOptions = {}): Promise<MediaCluster> {
  const redis = await startRedis(options.redis);
  let livekit: LiveKitCluster | undefined;
  let balancer: LiveKitRelay | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await balancer?.close();
      await livekit?.stop();
      await redis.stop();
    })();
    return stopping;
  };
  try {
    const binary = process.env['LIVEKIT_SERVER_BIN'];
    livekit = await startLiveKitCluster({ redis: redis.address, nodes: options.liveKitNodes ?? 2, ...(binary ? { binary } : {}) });
    if (options.balancer === true) balancer = await startLiveKitRelay({ targets: livekit.nodes.map((node) => node.url), route: byParticipant() });
  } catch (error) {
    await stop();
    throw error;
  }
  return { redis, livekit, balancer, stop };
}

export interface CallClusterOptions {
  /** Sealroom nodes (default 2, behind HAProxy; 1: no balancer, the node's own origin, like `npm start`). */
  nodes?: 1 | 2;
  /** ROOM_LEASE_MS of every node (default: the server's own default). */
  leaseMs?: number;
}

export interface CallCluster {
  readonly media: MediaCluster;
  /** What the browsers open: HAProxy's origin, or the one node's. */
  readonly origin: string;
  readonly nodes: readonly NodeProcess[];
  /** The node whose log says it opened a socket in this room. */
  ownerOf(roomId: string): Promise<NodeProcess>;
  /** Start node `index` again on its port, same Redis and LiveKit (after a kill or a stop). */
  restart(index: number): Promise<NodeProcess>;
  stop(): Promise<void>;
}

/** Redis with AOF, two LiveKit nodes on it, Sealroom node processes on it with REDIS_URL, and HAProxy. */
export async function startCallCluster(options: CallClusterOptions = {}): Promise<CallCluster> {
  const count = options.nodes ?? 2;
  const media = await startMediaCluster({ liveKitNodes: 2, redis: { appendOnly: true } });
  const stop = async () => {
    await stopAll();
    await media.stop();
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freeLoopbackPort());
    const lbPort = count === 2 ? await freeLoopbackPort() : undefined;
    const origin = `http://127.0.0.1:${lbPort ?? ports[0]!}`;
    const { livekit } = media;
    const boot = (i: number) =>
      startNode(
        {
          REDIS_URL: media.redis.url,
          PUBLIC_ORIGINS: origin,
          TRUST_PROXY: 'loopback',
          LIVEKIT_URL: livekit.nodes[i % livekit.nodes.length]!.url,
          // The page may come from another node than the room's owner (static files go to any
          // node), and a takeover hands out the new owner's LiveKit: its CSP allows every node.
          LIVEKIT_EXTRA_ORIGINS: livekit.nodes.map((n) => n.url).join(','),
          LIVEKIT_API_KEY: livekit.apiKey,
          LIVEKIT_API_SECRET: livekit.apiSecret,
          LIVEKIT_LOCAL: 'true',
          ...(options.leaseMs !== undefined ? { ROOM_LEASE_MS: String(options.leaseMs) } : {}),
        },
        ports[i],
      );
    const nodes: NodeProcess[] = [];
    for (let i = 0; i < count; i++) nodes.push(await boot(i));
    if (lbPort !== undefined) await startHaproxy(lbPort, [ports[0]!, ports[1]!]);
    return {
      media,
      origin,
      nodes,
      ownerOf: (roomId) =>
        until(`a node to serve ${roomId}`, async () => {
          for (const n of nodes) if ((await n.log()).split('\n').some((l) => l.includes('"ws.open"') && l.includes(roomId))) return n;
          return undefined;
        }),
      restart: async (index) => (nodes[index] = await boot(index)),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
