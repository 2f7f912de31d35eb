// A code-tampering proxy for the integrity tests: a real HTTP server on 127.0.0.1 that forwards
// every request to a Sealroom server (which one can be switched, as a deployment would be) and,
// when told, changes one byte of one served file, as a hostile operator or a compromised CDN
// would. For that file it also drops conditional headers, so the browser or verifier always gets
// the changed bytes rather than a 304. WebSocket upgrades are piped through untouched. It records
// the path of every request it forwarded.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface TamperProxy {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** Paths of every request forwarded, in order (`upgrade:` before WebSocket upgrades). */
  readonly requests: string[];
  /** The server requests go to: `http://127.0.0.1:<port>`. */
  target: string;
  /** The path whose body gets one byte changed, or null to pass everything through. */
  tamper: string | null;
  close(): Promise<void>;
}

/** `bytes` with the first ASCII letter at or after the middle switched to the other case (or the middle byte flipped). */
function changeOneByte(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const start = Math.floor(out.length / 2);
  for (let i = start; i < out.length; i++) {
    const b = out[i]!;
    if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) {
      out[i] = b ^ 0x20;
      return out;
    }
  }
  if (out.length > 0) out[start] = out[start]! ^ 0x01;
  return out;
}

export async function startTamperProxy(target: string): Promise<TamperProxy> {
  const state = { target, tamper: null as string | null, requests: [] as string[] };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    state.requests.push(url.pathname);
    const tampered = state.tamper !== null && url.pathname === state.tamper;
    const headers = { ...req.headers, host: new URL(state.target).host };
    if (tampered) {
      delete headers['if-none-match'];
      delete headers['if-modified-since'];
      delete headers['accept-encoding'];
    }
    const upstream = request(`${state.target}${req.url ?? '/'}`, { method: req.method, headers }, (answer: IncomingMessage) => {
      if (!tampered || answer.statusCode !== 200) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = changeOneByte(Buffer.concat(chunks));
        const { 'content-length': _length, etag: _etag, ...rest } = answer.headers;
        res.writeHead(200, { ...rest, 'content-length': String(body.length) });
        res.end(body);
      });
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    state.requests.push(`upgrade:${new URL(req.url ?? '/', 'http://proxy').pathname}`);
    const t = new URL(state.target);
    const upstream = connect(Number(t.port), t.hostname, () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${k === 'host' ? t.host : String(v)}`)];
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get target() {
      return state.target;
    },
    set target(value: string) {
      state.target = value;
    },
    get tamper() {
      return state.tamper;
    },
    set tamper(value: string | null) {
      state.tamper = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
