// A hostile signaling server for the browser tests: an HTTP and WebSocket proxy that sits between
// the browsers and the real Sealroom server, as an operator who controls the server would. The
// browsers open the proxy's origin; it forwards HTTP requests and WebSocket messages both ways
// (presenting the server's own origin, which the server's Origin check expects) and lets a test
// read, change, drop or inject any message in flight. It holds what such a server holds (room ids,
// participant ids, roles, opaque payloads, LiveKit's API key when it runs the SFU too) and never
// the room link's fragment, which browsers do not send. It lives in the test harness only: the
// server has no such mode.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

/** One protocol message as JSON (protocol/protocol.ts), unparsed beyond its type. */
export type Wire = { readonly type: string } & Readonly<Record<string, unknown>>;
export type Direction = 'to-server' | 'to-browser';
/** Returns what to forward instead (the message itself to pass it on), or null to drop it. */
export type Tamper = (message: Wire, socket: ProxiedSocket) => Wire | null;

export interface ProxiedSocket {
  /** From the server's `welcome`, once one passed through. */
  readonly participantId: string | undefined;
  readonly role: string | undefined;
  readonly open: boolean;
  /** Send the browser a message the real server never sent. */
  inject(message: Wire): void;
}

export interface Seen {
  readonly direction: Direction;
  readonly participantId: string | undefined;
  readonly message: Wire;
}

export interface HostileProxy {
  /** http://127.0.0.1:<port>: what the browsers open. */
  readonly origin: string;
  readonly sockets: readonly ProxiedSocket[];
  /** Every message that passed, in order, as it arrived (before any tamper). */
  readonly seen: readonly Seen[];
  /** Install a tamper for one direction; returns its removal. Tampers run in install order. */
  tamper(direction: Direction, tamper: Tamper): () => void;
  close(): Promise<void>;
}

const WS_PATH = /^\/ws\/[A-Za-z0-9_-]{22}$/;
/** Close codes a peer may not send itself (RFC 6455 §7.4.1): the other side is cut instead. */
const RESERVED_CLOSE = new Set([1005, 1006, 1015]);

class Socket implements ProxiedSocket {
  participantId: string | undefined;
  role: string | undefined;
  readonly #browser: WebSocket;

  constructor(browser: WebSocket) {
    this.#browser = browser;
  }

  get open(): boolean {
    return this.#browser.readyState === WebSocket.OPEN;
  }

  inject(message: Wire): void {
    if (this.open) this.#browser.send(JSON.stringify(message));
  }
}

export async function startHostileProxy(upstreamOrigin: string): Promise<HostileProxy> {
  const upstream = new URL(upstreamOrigin);
  const sockets: Socket[] = [];
  const seen: Seen[] = [];
  const tampers: Record<Direction, Tamper[]> = { 'to-server': [], 'to-browser': [] };
  const selected = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_offered, req) => selected.get(req) ?? false });

  const forwardHttp = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = { ...req.headers, host: upstream.host, ...(req.headers.origin !== undefined ? { origin: upstream.origin } : {}) };
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const relay = (direction: Direction, socket: Socket, data: string, to: WebSocket): void => {
    let message: Wire;
    try {
      message = JSON.parse(data) as Wire;
    } catch {
      to.send(data); // not JSON: let the receiver deal with it
      return;
    }
    seen.push({ direction, participantId: socket.participantId, message });
    if (direction === 'to-browser' && message.type === 'welcome') {
      socket.participantId = message['participantId'] as string;
      socket.role = message['role'] as string;
    }
    let out: Wire | null = message;
    for (const tamper of tampers[direction]) {
      if (out === null) break;
      out = tamper(out, socket);
    }
    if (out === null || to.readyState !== WebSocket.OPEN) return;
    to.send(out === message ? data : JSON.stringify(out));
  };

  const bridge = (browser: WebSocket, server: WebSocket): void => {
    const socket = new Socket(browser);
    sockets.push(socket);
    browser.on('message', (data, binary) => (binary ? server.send(data) : relay('to-server', socket, data.toString(), server)));
    server.on('message', (data, binary) => (binary ? browser.send(data) : relay('to-browser', socket, data.toString(), browser)));
    const passClose = (to: WebSocket) => (code: number, reason: Buffer) => {
      if (to.readyState !== WebSocket.OPEN) return;
      if (RESERVED_CLOSE.has(code)) to.terminate();
      else to.close(code, reason);
    };
    browser.on('close', passClose(server));
    server.on('close', passClose(browser));
    browser.on('error', () => server.terminate());
    server.on('error', () => browser.terminate());
  };

  const forwardUpgrade = (req: IncomingMessage, raw: Duplex, head: Buffer): void => {
    raw.on('error', () => undefined);
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (!WS_PATH.test((req.url ?? '').split('?')[0] ?? '')) return void raw.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    const server = new WebSocket(`ws://${upstream.host}${req.url ?? ''}`, offered, { origin: upstream.origin, perMessageDeflate: false });
    server.on('unexpected-response', (_request, answer) => {
      // The server refused the upgrade: hand the browser the same status.
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        raw.end(`HTTP/1.1 ${answer.statusCode ?? 502} ${answer.statusMessage ?? ''}\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body.toString()}`);
      });
    });
    server.on('error', () => raw.destroy());
    server.on('open', () => {
      selected.set(req, server.protocol);
      wss.handleUpgrade(req, raw, head, (browser) => bridge(browser, server));
    });
  };

  const http: Server = createServer(forwardHttp);
  http.on('upgrade', forwardUpgrade);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    sockets,
    seen,
    tamper(direction, tamper) {
      tampers[direction].push(tamper);
      return () => {
        tampers[direction] = tampers[direction].filter((t) => t !== tamper);
      };
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
