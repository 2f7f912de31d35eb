// The Sealroom server, in-process, once per e2e test file: ephemeral port, the harness's loopback LiveKit.
import { startServer } from '../../../server/app';
import { loadConfig } from '../../../server/config';

export interface TestServer {
  /** http://127.0.0.1:<port>, the origin the browsers open. */
  origin: string;
  /** The loopback port it listens on (for a harness proxy in front of it). */
  port: number;
  close(): Promise<void>;
}

/** Reads the LiveKit the harness started (tests/e2e/harness/run.ts) from the environment. */
function harnessLiveKit(): { LIVEKIT_URL: string; LIVEKIT_API_KEY: string; LIVEKIT_API_SECRET: string } {
  const { LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET } = process.env;
  if (!LIVEKIT_URL || !LIVEKIT_API_KEY || !LIVEKIT_API_SECRET) {
    throw new Error('no harness LiveKit in the environment: run the e2e tests with `npm run test:e2e`');
  }
  return { LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET };
}

export interface TestServerOptions {
  /** Origins browsers may open the app at instead of the server's own: harness proxies (socket-proxy.ts). */
  origins?: readonly string[];
  /** LiveKit URL to hand out in grants instead of the harness LiveKit's own: a relay in front of it (livekit-relay.ts). */
  liveKitUrl?: string;
  /**
   * Another LiveKit than the harness's (a cluster.ts node, a TURN-enabled one), with its keys. Its
   * grants say iceServers 'default' (the ICE servers LiveKit hands out) unless `local` is true.
   */
  liveKit?: { url: string; apiKey: string; apiSecret: string; local?: boolean; forceRelay?: boolean };
}

function liveKitEnv(options: TestServerOptions): Record<string, string> {
  const own = options.liveKit;
  if (own === undefined) return { ...harnessLiveKit(), LIVEKIT_LOCAL: 'true' };
  return {
    LIVEKIT_URL: own.url,
    LIVEKIT_API_KEY: own.apiKey,
    LIVEKIT_API_SECRET: own.apiSecret,
    LIVEKIT_LOCAL: String(own.local ?? false),
    LIVEKIT_FORCE_RELAY: String(own.forceRelay ?? false),
  };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ...liveKitEnv(options),
    STATIC_DIR: 'client/dist',
    LOG_LEVEL: process.env['SEALROOM_E2E_SERVER_LOG'] ?? 'silent',
    ...(options.origins !== undefined ? { PUBLIC_ORIGINS: options.origins.join(',') } : {}),
    ...(options.liveKitUrl !== undefined ? { LIVEKIT_URL: options.liveKitUrl } : {}),
  });
  const server = await startServer(config);
  return { origin: `http://127.0.0.1:${server.port}`, port: server.port, close: () => server.close() };
}
