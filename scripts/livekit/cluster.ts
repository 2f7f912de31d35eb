// Several LiveKit nodes on one Redis, all on loopback: one key pair shared by every node, and each
// node with its own free HTTP and UDP ports. LiveKit then routes by Redis: a participant whose
// signal connection reaches any node joins the room on the node that hosts it, and its media goes
// to that node's UDP port (so, in a real deployment, every node's media ports must be reachable).
import { freshKeyPair, type LiveKitKeys } from './config';
import { freeLoopbackPorts } from './ports';
import { type LiveKitHandle, startLiveKit } from './process';

export interface LiveKitClusterOptions {
  /** host:port of the Redis every node shares. */
  redis: string;
  nodes: number;
  binary?: string;
}

export interface LiveKitCluster extends LiveKitKeys {
  /** In start order; each node's `url` is ws://127.0.0.1:<its port>. */
  readonly nodes: readonly LiveKitHandle[];
  /** Stops every node (in parallel); safe to call twice. */
  stop(): Promise<void>;
}

export async function startLiveKitCluster(options: LiveKitClusterOptions): Promise<LiveKitCluster> {
  if (!Number.isInteger(options.nodes) || options.nodes < 1) throw new RangeError(`a LiveKit cluster needs at least one node, not ${options.nodes}`);
  const keys = freshKeyPair();
  const nodes: LiveKitHandle[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    const ports = await freeLoopbackPorts(options.nodes * 2);
    for (let i = 0; i < options.nodes; i++) {
      const config = { keys, redis: options.redis, ports: { port: ports[2 * i]!, udpPort: ports[2 * i + 1]! } };
      nodes.push(await startLiveKit({ ...(options.binary === undefined ? {} : { binary: options.binary }), config }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...keys, nodes, stop };
}
