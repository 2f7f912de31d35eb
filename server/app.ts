// Starts Sealroom's signaling server: one HTTP server carries the express app and the
// WebSocket upgrade. Also runs the heartbeat and the idle-room sweep, and closes it all cleanly.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode } from '../protocol/protocol';
import { sodiumReady } from '../crypto/index';
import { effectiveOrigins, type Config } from './config';
import { createHttpApp } from './http';
import { Hub } from './hub';
import { createLogger, type Logger } from './log';
import { Rooms } from './rooms';
import { createGrantIssuer, createSfuAdmin } from './tokens';
import { createWsEndpoint } from './ws';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Close every socket with 1001, stop accepting, and resolve once the server is down. */
  close(): Promise<void>;
}

/** How often idle rooms and stale lobby participants are looked for. */
function sweepIntervalMs(roomIdleTtlSeconds: number): number {
  return Math.max(1000, Math.min(60_000, roomIdleTtlSeconds * 1000));
}

export async function startServer(config: Config, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  await sodiumReady();
  const now = () => Date.now();
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origins = effectiveOrigins(config, port);

  const rooms = new Rooms(config.roomIdleTtlSeconds * 1000, config.maxRooms, config.maxStoredBytes);
  const issuer = config.livekit === null ? null : createGrantIssuer(config.livekit, config.tokenTtlSeconds);
  const hub = new Hub({ rooms, issuer, sfu: createSfuAdmin(config.livekit, log), log, now, heartbeatMs: config.heartbeatMs, hostProofTimeoutMs: config.hostProofTimeoutMs });
  const app = createHttpApp({ config, origins, rooms, log, now });
  const { wss, onUpgrade } = createWsEndpoint({ rooms, hub, origins, log, trustProxy: config.trustProxy });
  server.on('request', app);
  server.on('upgrade', onUpgrade);

  const heartbeat = setInterval(() => hub.heartbeat(), config.heartbeatMs);
  const sweep = setInterval(() => {
    const result = rooms.sweep(now());
    for (const id of result.expired) log.info('room.expired', { room: id });
    for (const { room, effects } of result.effects) hub.apply(room, effects);
  }, sweepIntervalMs(config.roomIdleTtlSeconds));
  heartbeat.unref();
  sweep.unref();

  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log.info('server.listening', { url, livekit: config.livekit !== null, origins: origins.join(' ') });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(heartbeat);
      clearInterval(sweep);
      server.off('upgrade', onUpgrade);
      hub.closeAll(CloseCode.goingAway, 'server shutting down');
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Sockets that do not finish their closing handshake in time are cut.
      const timer = setTimeout(() => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
      }, 2000);
      timer.unref();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeIdleConnections();
      await stopped;
      clearTimeout(timer);
      log.info('server.closed', { port });
    })();
    return closing;
  };
  return { url, port, close };
}
