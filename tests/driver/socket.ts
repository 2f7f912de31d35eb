// The driver's signaling connection: a real `ws` WebSocket to `/ws/<roomId>`, opened the way a
// browser opens it (subprotocols `sealroom.v1` + `auth.<credential>`, Origin of the server's own
// page). Every outgoing message is checked against the ClientMessage schema before it is sent,
// and every incoming frame is parsed with parseServerMessage; an invalid one is reported, not used.
import WebSocket from 'ws';
import { type ClientMessage, type ServerMessage, parseClientMessage, parseServerMessage, wsPath, wsSubprotocols } from '../../protocol/protocol';
import { DriverError } from './errors';

export interface SocketHandlers {
  readonly message: (message: ServerMessage) => void;
  /** The server sent a frame that does not parse; the frame is dropped. */
  readonly invalid: (reason: string) => void;
  readonly close: (code: number) => void;
}

/**
 * Each driver socket comes from its own loopback address (127.1.0.2, 127.1.0.3, ...), as separate people
 * would: the server counts lobby places per client address (protocol/limits.ts MAX_LOBBY_PER_ADDRESS).
 */
let nextLocal = 0;
function localAddress(): string {
  const n = nextLocal++;
  return `127.1.${Math.floor(n / 250) % 250}.${2 + (n % 250)}`;
}

export class SignalingSocket {
  /** Resolves once the upgrade is accepted; rejects with `refused` otherwise. */
  readonly opened: Promise<void>;
  private readonly ws: WebSocket;

  /** Starts opening at once; handlers may run as soon as `opened` resolves. */
  constructor(origin: string, roomId: string, credential: string, handlers: SocketHandlers) {
    const url = `${origin.replace(/^http/, 'ws')}${wsPath(roomId)}`;
    const ws = new WebSocket(url, wsSubprotocols(credential), { origin, maxPayload: 1024 * 1024, localAddress: localAddress() });
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return handlers.invalid('the server sent a binary frame');
      const parsed = parseServerMessage(data.toString());
      if (parsed.ok) handlers.message(parsed.message);
      else handlers.invalid(`${parsed.code}: ${parsed.message}`);
    });
    ws.on('close', (code) => handlers.close(code));
    ws.on('error', () => undefined); // 'close' follows; before 'open', `opened` rejects below
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate();
        reject(new DriverError('refused', `the upgrade of ${url} was refused with HTTP ${res.statusCode ?? 0}`));
      });
      ws.once('error', (err) => reject(new DriverError('refused', `could not open ${url}: ${err.message}`)));
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Send one message; throws `invalid-outgoing` if the schema refuses it. Dropped if the socket is not open. */
  send(message: ClientMessage): void {
    const text = JSON.stringify(message);
    const checked = parseClientMessage(text);
    if (!checked.ok) throw new DriverError('invalid-outgoing', `refusing to send ${message.type}: ${checked.code} ${checked.message}`);
    if (this.isOpen) this.ws.send(text);
  }

  /** Close with `code` and resolve once the socket is closed (terminated after 1 s without a handshake). */
  async close(code: number, reason: string): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(code, reason);
    const timer = setTimeout(() => this.ws.terminate(), 1000);
    await closed;
    clearTimeout(timer);
  }
}
