// The WebSocket endpoint, `/ws/<roomId>`. Every check happens in the HTTP upgrade, before the
// socket is accepted, and a refusal is a plain HTTP status:
//   404 wrong path or unknown room · 403 Origin not allowed · 426 no `sealroom.v1` offered
//   401 no or wrong `auth.<credential>` · 503 the room's lobby holds too many connections, in all
//   or from this client's address or IPv6 /64 (server/address.ts); or another node serves the room
//   (after waiting out one lease: its owner may have died), or the room store is unreachable
//   500 the stored room record is unreadable (server/room-record.ts)
// Only `sealroom.v1` is ever echoed back as the selected subprotocol, never the credential.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WS_AUTH_PREFIX, WS_MAX_FRAME_BYTES, WS_VERSION_PROTOCOL } from '../protocol/protocol';
import { upgradeAddress } from './address';
import type { Hub } from './hub';
import type { Logger } from './log';
import type { Owner } from './owner';
import type { Rooms } from './rooms';

const PATH = /^\/ws\/([A-Za-z0-9_-]{22})$/;

const REASONS: Record<number, string> = { 500: 'Internal Server Error', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 426: 'Upgrade Required', 503: 'Service Unavailable' };

function refuse(socket: Duplex, status: number, body: string, extra: Record<string, string> = {}): void {
  const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...extra };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\n${head}\r\n\r\n${body}`);
}

/** The comma-separated entries of `Sec-WebSocket-Protocol`, trimmed. */
function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

export interface WsDeps {
  readonly rooms: Rooms;
  readonly hub: Hub;
  readonly owner: Owner;
  readonly origins: readonly string[];
  readonly log: Logger;
  readonly trustProxy?: boolean | number | string | undefined;
}

export function createWsEndpoint(deps: WsDeps): { wss: WebSocketServer; onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_MAX_FRAME_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(WS_VERSION_PROTOCOL) ? WS_VERSION_PROTOCOL : false),
  });
  const allowed = new Set(deps.origins);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => undefined);
    upgrade(req, socket, head).catch((error: unknown) => {
      deps.log.warn('ws.store-failed', { error: error instanceof Error ? error.name : 'unknown' });
      refuse(socket, 503, 'the room store is unreachable; try again\n', { 'Retry-After': '1' });
    });
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const pathname = (req.url ?? '').split('?')[0] ?? '';
    const match = PATH.exec(pathname);
    if (!match) return refuse(socket, 404, 'no such endpoint\n');
    const roomId = match[1] ?? '';
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) {
      deps.log.info('ws.refused', { room: roomId, status: 403 });
      return refuse(socket, 403, 'origin not allowed\n');
    }
    const offered = offeredProtocols(req);
    if (!offered.includes(WS_VERSION_PROTOCOL)) {
      deps.log.info('ws.refused', { room: roomId, status: 426 });
      return refuse(socket, 426, `unsupported protocol version: this server speaks ${WS_VERSION_PROTOCOL}\n`, { 'Sec-WebSocket-Protocol': WS_VERSION_PROTOCOL });
    }
    const opened = await deps.owner.open(roomId);
    if (opened.kind === 'gone') return refuse(socket, 404, 'no such room\n');
    if (opened.kind === 'busy') {
      deps.log.info('ws.refused', { room: roomId, status: 503, why: 'served-elsewhere' });
      return refuse(socket, 503, 'another node serves this room; try again\n', { 'Retry-After': '1' });
    }
    if (opened.kind === 'bad-record') return refuse(socket, 500, `${opened.error.message}\n`);
    const room = opened.room;
    const credential = offered.find((p) => p.startsWith(WS_AUTH_PREFIX))?.slice(WS_AUTH_PREFIX.length);
    const auth = credential === undefined ? null : room.authenticate(credential);
    if (auth === null) {
      deps.log.info('ws.refused', { room: roomId, status: 401 });
      return refuse(socket, 401, 'missing or wrong credential\n');
    }
    const address = upgradeAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], deps.trustProxy);
    if (auth.kind === 'access' && (!room.canAcceptLobby(address) || deps.rooms.overBudget())) {
      deps.log.info('ws.refused', { room: roomId, status: 503 });
      return refuse(socket, 503, 'the lobby of this room is full\n');
    }
    wss.handleUpgrade(req, socket, head, (ws) => deps.hub.attach(room, auth, ws, address));
  };

  return { wss, onUpgrade };
}
