// A TCP proxy in front of the in-process Sealroom server, one per browser that needs it. The
// browser opens the app at the proxy's own origin, so everything it says to the server, the
// signaling WebSocket included, passes here, and a test can break that browser's socket (and only
// it) the way a network does: stall one direction, then reset the connection. The client has no
// hook for this. It also keeps what the server sent down the WebSockets (unmasked frames, read as
// the server wrote them). LiveKit traffic goes to LiveKit directly and is not touched.
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export type Direction = 'to-browser' | 'to-server';

export interface SocketProxy {
  /** http://127.0.0.1:<port>, the origin the browser opens. */
  readonly origin: string;
  /** Forward to the Sealroom server on this loopback port (call before the browser connects). */
  forwardTo(port: number): void;
  /** The open WebSockets silently drop what they carry in `direction` from now on. */
  stall(direction: Direction): void;
  /** Reset every open WebSocket connection on both sides. Later connections pass normally. */
  cut(): void;
  /** Everything the server sent down this browser's WebSockets so far (up to MAX_CAPTURE_BYTES). */
  toBrowser(): Buffer;
  /** WebSocket connections opened through this proxy so far. */
  readonly sockets: number;
  close(): Promise<void>;
}

interface Link {
  readonly browser: Socket;
  readonly server: Socket;
  websocket: boolean;
  readonly dropping: Set<Direction>;
}

/** The first bytes of a WebSocket upgrade to the signaling endpoint. */
const WS_REQUEST = /^GET \/ws\//;
const MAX_CAPTURE_BYTES = 8 * 1024 * 1024;

export async function startSocketProxy(): Promise<SocketProxy> {
  let target: number | undefined;
  let sockets = 0;
  const capture: Buffer[] = [];
  let captured = 0;
  const links = new Set<Link>();
  const proxy = createServer((browser) => {
    if (target === undefined) {
      browser.destroy();
      return;
    }
    const link: Link = { browser, server: connect(target, '127.0.0.1'), websocket: false, dropping: new Set() };
    links.add(link);
    let first = true;
    browser.on('data', (chunk: Buffer) => {
      if (first) {
        first = false;
        link.websocket = WS_REQUEST.test(chunk.toString('latin1', 0, 16));
        if (link.websocket) sockets++;
      }
      if (!link.dropping.has('to-server')) link.server.write(chunk);
    });
    link.server.on('data', (chunk: Buffer) => {
      if (link.websocket && captured + chunk.length <= MAX_CAPTURE_BYTES) {
        capture.push(chunk);
        captured += chunk.length;
      }
      if (!link.dropping.has('to-browser')) browser.write(chunk);
    });
    const end = () => {
      links.delete(link);
      browser.destroy();
      link.server.destroy();
    };
    for (const socket of [browser, link.server]) socket.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (proxy.address() as AddressInfo).port;
  const open = () => [...links].filter((l) => l.websocket);
  return {
    origin: `http://127.0.0.1:${port}`,
    forwardTo(p) {
      target = p;
    },
    stall(direction) {
      for (const link of open()) link.dropping.add(direction);
    },
    cut() {
      for (const link of open()) {
        links.delete(link);
        link.browser.resetAndDestroy();
        link.server.resetAndDestroy();
      }
    },
    toBrowser() {
      return Buffer.concat(capture);
    },
    get sockets() {
      return sockets;
    },
    async close() {
      for (const link of links) {
        link.browser.destroy();
        link.server.destroy();
      }
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
