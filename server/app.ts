// Starts Sealroom's signaling server: one HTTP server carries the express app and the
// WebSocket upgrade. Also runs the heartbeat, the idle-room sweep and lease renewal, and closes it
// all cleanly: sockets first, then pending store writes, then the leases (so another node, or
// this one restarted, takes the rooms over at once).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode } from '../protocol/protocol';
import { sodiumReady } from '../crypto/index';
import { effectiveOrigins, type Config } from './config';
import { createHttpApp } from './http';
import { Hub } from './hub';
import { newId } from './credentials';
import { createLogger, type Logger } from './log';
import { Owner } from './owner';
import { RedisRoomStore } from './redis-store';
import { MemoryRoomStore, type RoomStore } from './room-store';
import { Rooms } from './rooms';
import { createGrantIssuer, createSfuAdmin } from './tokens';
import { createWsEndpoint } from './ws';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** This process's id as a room owner (the value of the leases it holds). */
  readonly node: string;
  /** 'redis' or 'memory'. */
  readonly store: string;
  /** Close every socket with 1001, stop accepting, and resolve once the server is down. */
  close(): Promise<void>;
}

/** How often idle rooms and stale lobby participants are looked for. */
function sweepIntervalMs(roomIdleTtlSeconds: number): number {
  return Math.max(1000, Math.min(60_000, roomIdleTtlSeconds * 1000));
}

async function openStore(config: Config, log: Logger): Promise<RoomStore> {
  const timing = { leaseMs: config.leaseMs, idleTtlMs: config.roomIdleTtlSeconds * 1000 };
  if (config.redisUrl === null) return new MemoryRoomStore(timing);
  let lastError = '';
  return RedisRoomStore.connect(config.redisUrl, timing, (error) => {
    // Reconnects are retried by the client; log each kind of failure once per change.
    if (error.message === lastError) return;
    lastError = error.message;
    log.warn('store.error', { error: error.name });
  });
}

export async function startServer(config: Config, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  await sodiumReady();
  const now = () => Date.now();
  const store = await openStore(config, log);
  const node = newId();
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
  const owner = new Owner({ store, rooms, node, leaseMs: config.leaseMs, log, now, onLost: (room) => hub.lost(room) });
  hub.setOwner(owner);
  const app = createHttpApp({ config, origins, rooms, owner, log, now });
  const { wss, onUpgrade } = createWsEndpoint({ rooms, hub, owner, origins, log, trustProxy: config.trustProxy });
  server.on('request', app);
  server.on('upgrade', onUpgrade);

  const heartbeat = setInterval(() => hub.heartbeat(), config.heartbeatMs);
  const sweep = setInterval(() => {
    const result = rooms.sweep(now());
    for (const room of result.expiredRooms) {
      log.info('room.expired', { room: room.id });
      owner.expire(room);
    }
    for (const { room, effects } of result.effects) owner.write(room, undefined, () => hub.apply(room, effects));
  }, sweepIntervalMs(config.roomIdleTtlSeconds));
  const renewal = setInterval(() => void owner.renew(), config.leaseMs / 3);
  heartbeat.unref();
  sweep.unref();
  renewal.unref();

  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log.info('server.listening', { url, livekit: config.livekit !== null, origins: origins.join(' '), store: store.kind, node });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(heartbeat);
      clearInterval(sweep);
      clearInterval(renewal);
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
      await owner.shutdown();
      await store.close().catch(() => undefined);
      log.info('server.closed', { port });
    })();
    return closing;
  };
  return { url, port, node, store: store.kind, close };
}
