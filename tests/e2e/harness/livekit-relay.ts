// A loopback TCP relay in front of the harness LiveKit's signal port (WebSocket and HTTP), for
// reconnection tests: the Sealroom server hands out its URL in grants, so every browser's LiveKit
// signal connection passes here. It forwards bytes unchanged and reads only the first request line
// of each connection: the path, the identity in the access token, and whether the client is resuming
// (the `reconnect` flag of the JoinRequest that livekit-client's v1 signal path carries, gzipped and
// base64url-encoded, in the `join_request` parameter; older clients sent `reconnect=1`). A test can then cut one participant's live connections the way a network drop
// does, or answer its next requests with 401, as LiveKit does to a token it no longer accepts.
// Media (UDP) goes to LiveKit directly and is not touched. Harness-only.
// In front of several LiveKit nodes (a cluster on one Redis), it is the load balancer: `route`
// picks each connection's node, e.g. byParticipant() keeps one participant on one node and spreads
// participants over the nodes in turn.
import { createServer, type Server, type Socket, connect } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface RelayConnection {
  /** Order of arrival, from 1. */
  readonly seq: number;
  /** Request path without the query (e.g. /ws/<room>, /rtc/v1, /rtc/v1/validate). */
  readonly path: string;
  /** LiveKit: the `sub` claim of the access token in the query, if any. */
  readonly identity: string | undefined;
  /** LiveKit: the client asked to resume a session (`reconnect=1`). */
  readonly resume: boolean;
  readonly at: number;
  /** The LiveKit URL this connection was relayed to (one of the relay's targets). */
  readonly upstream: string;
}

export type ConnectionFilter = (connection: RelayConnection) => boolean;

/** Which target (its index) a new connection goes to; it sees the connection before `upstream` is known. */
export type Router = (connection: Omit<RelayConnection, 'upstream'>, targets: number) => number;

export interface RelayOptions {
  /** LiveKit URLs (ws://127.0.0.1:<port>) to relay to; the harness LiveKit (LIVEKIT_URL) by default. */
  targets?: readonly string[];
  /** Defaults to the first target for every connection. */
  route?: Router;
}

/** Sticky round robin: a participant's first connection takes the next node, its later ones the same. */
export function byParticipant(): Router {
  const assigned = new Map<string, number>();
  return (connection, targets) => {
    if (connection.identity === undefined) return 0;
    let index = assigned.get(connection.identity);
    if (index === undefined) {
      index = assigned.size % targets;
      assigned.set(connection.identity, index);
    }
    return index;
  };
}

export interface LiveKitRelay {
  /** ws://127.0.0.1:<port>: give it to the Sealroom server as LIVEKIT_URL. */
  readonly url: string;
  /** Every connection whose first request line arrived, in order. */
  readonly accepted: readonly RelayConnection[];
  /** Destroys every live connection that matches (all by default); returns how many. */
  cut(filter?: ConnectionFilter): number;
  /** Answers matching new connections with 401 Unauthorized until the returned function is called. */
  refuse(filter: ConnectionFilter): () => void;
  close(): Promise<void>;
}

const MAX_REQUEST_LINE = 64 * 1024;

/** The `sub` claim of a JWT, without checking it (the relay is not a verifier). */
function jwtSubject(token: string | null): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/** Top-level fields of a protobuf message: field number -> varint value or bytes (last one wins). */
function protobufFields(bytes: Uint8Array): Map<number, bigint | Uint8Array> {
  const fields = new Map<number, bigint | Uint8Array>();
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; at < bytes.length; shift += 7n) {
      const byte = bytes[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
    throw new Error('truncated varint');
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n);
    switch (Number(key & 7n)) {
      case 0:
        fields.set(field, varint());
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = Number(varint());
        fields.set(field, bytes.subarray(at, at + length));
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new Error('unknown protobuf wire type');
    }
  }
  return fields;
}

/** WrappedJoinRequest { 1: compression (1 = gzip), 2: JoinRequest bytes }; JoinRequest { 7: reconnect }. */
function joinRequestResumes(parameter: string | null): boolean {
  if (parameter === null) return false;
  try {
    const wrapped = protobufFields(Buffer.from(parameter, 'base64url'));
    const body = wrapped.get(2);
    if (!(body instanceof Uint8Array)) return false;
    const request = protobufFields(wrapped.get(1) === 1n ? gunzipSync(body) : body);
    return request.get(7) === 1n;
  } catch {
    return false;
  }
}

function describeRequest(line: string, seq: number): Omit<RelayConnection, 'upstream'> {
  const target = line.split(' ')[1] ?? '/';
  const url = new URL(target, 'http://relay.invalid');
  const resume = url.searchParams.get('reconnect') === '1' || joinRequestResumes(url.searchParams.get('join_request'));
  return { seq, path: url.pathname, identity: jwtSubject(url.searchParams.get('access_token')), resume, at: Date.now() };
}

const UNAUTHORIZED = [
  'HTTP/1.1 401 Unauthorized',
  'Content-Type: text/plain; charset=utf-8',
  'Access-Control-Allow-Origin: *',
  'Connection: close',
  'Content-Length: 22',
  '',
  'token is not accepted\n',
].join('\r\n');

/** Relays to the LiveKit the harness started (LIVEKIT_URL in the environment), or to the given targets. */
export async function startLiveKitRelay(options: RelayOptions = {}): Promise<LiveKitRelay> {
  const harnessUrl = process.env['LIVEKIT_URL'];
  const targets = options.targets ?? (harnessUrl ? [harnessUrl] : []);
  if (targets.length === 0) throw new Error('no harness LiveKit in the environment: run the e2e tests with `npm run test:e2e`');
  const route = options.route ?? (() => 0);
  let seq = 0;
  const accepted: RelayConnection[] = [];
  const live = new Map<Socket, { info: RelayConnection; upstream: Socket }>();
  const refusals = new Set<ConnectionFilter>();

  const server: Server = createServer((client) => {
    client.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n');
      if (end < 0) {
        if (head.length > MAX_REQUEST_LINE) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      const request = describeRequest(head.subarray(0, end).toString('latin1'), ++seq);
      const upstreamUrl = targets[route(request, targets.length)] ?? targets[0]!;
      const info: RelayConnection = { ...request, upstream: upstreamUrl };
      accepted.push(info);
      if ([...refusals].some((refused) => refused(info))) {
        client.end(UNAUTHORIZED);
        return;
      }
      const upstream = connect({ host: '127.0.0.1', port: Number(new URL(upstreamUrl).port) }, () => {
        upstream.write(head);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => {
        upstream.destroy();
        live.delete(client);
      });
      upstream.on('close', () => client.destroy());
      live.set(client, { info, upstream });
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no TCP address');

  return {
    url: `ws://127.0.0.1:${address.port}`,
    accepted,
    cut(filter = () => true) {
      let count = 0;
      for (const [client, { info, upstream }] of live) {
        if (!filter(info)) continue;
        client.destroy();
        upstream.destroy();
        live.delete(client);
        count++;
      }
      return count;
    },
    refuse(filter) {
      refusals.add(filter);
      return () => refusals.delete(filter);
    },
    async close() {
      for (const [client, { upstream }] of live) {
        client.destroy();
        upstream.destroy();
      }
      live.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
