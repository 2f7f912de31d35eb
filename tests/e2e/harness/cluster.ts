// The media side of a multi-node deployment, on loopback inside the test's namespace: one Redis and
// N LiveKit nodes on it (scripts/livekit/cluster.ts), optionally with a load balancer in front of
// the nodes' signal ports (livekit-relay.ts, sticky per participant). A full cluster test adds
// Sealroom nodes on the same Redis and their own load balancer; it hands each Sealroom node a
// node's URL (or the balancer's) as LIVEKIT_URL, with the cluster's one key pair.
import { type LiveKitCluster, startLiveKitCluster } from '../../../scripts/livekit/cluster';
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
