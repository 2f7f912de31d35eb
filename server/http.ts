// The express app: room creation and status API, the built client (with an SPA fallback for
// /r/:roomId; its manifest /integrity.json and service worker /sw.js always revalidated), security headers on every response, and typed JSON errors (HttpError).
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { CreateRoomRequest, ErrorCode, RoomId, type HttpError } from '../protocol/protocol';
import type { Config } from './config';
import type { Logger } from './log';
import type { Owner } from './owner';
import { clientAddress } from './address';
import { WindowLimiter } from './rate-limit';
import type { Room } from './room';
import { StoreRecordError } from './room-record';
import type { Rooms } from './rooms';
import { securityHeaders, wantsHsts } from './security-headers';

const JSON_BODY_LIMIT = '16kb';

export interface HttpDeps {
  readonly config: Config;
  readonly origins: readonly string[];
  readonly rooms: Rooms;
  readonly owner: Owner;
  readonly log: Logger;
  readonly now: () => number;
}

function fail(res: Response, status: number, error: ErrorCode, message: string): void {
  const body: HttpError = { error, message };
  res.status(status).json(body);
}

/** The credential of `Authorization: Bearer <credential>`, or undefined. */
function bearer(req: Request): string | undefined {
  const match = /^Bearer ([^\s]+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const { config, rooms, owner, log, now } = deps;
  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders(deps.origins, config.livekit, wantsHsts(config.publicOrigins)));

  const api = express.Router();
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  // Per address, and per IPv6 /64 (addresses inside one rotate for free); both windows count every try.
  const byAddress = new WindowLimiter(config.roomCreatesPerMinutePerIp, 60_000);
  const byNetwork = new WindowLimiter(config.roomCreatesPerMinutePer64, 60_000);
  const limitCreation: RequestHandler = (req, res, next) => {
    const from = clientAddress(req.ip);
    const address = byAddress.hit(from.address, now());
    const network = from.net64 === from.address || byNetwork.hit(from.net64, now());
    if (address && network) return next();
    res.setHeader('Retry-After', '60');
    fail(res, 429, ErrorCode.rateLimited, address ? `at most ${config.roomCreatesPerMinutePer64} rooms a minute from one /64` : `at most ${config.roomCreatesPerMinutePerIp} rooms a minute`);
  };

  api.post('/rooms', limitCreation, express.json({ limit: JSON_BODY_LIMIT }), async (req, res) => {
    const parsed = CreateRoomRequest.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(res, 400, ErrorCode.badMessage, `invalid room request${issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'expected a JSON object'}`);
    }
    const created = rooms.create(parsed.data, now());
    if (!created.ok && created.reason === 'bad-verifier') return fail(res, 400, ErrorCode.badMessage, 'accessVerifier is not canonical base64url of 32 bytes');
    if (!created.ok && created.reason === 'bad-host-key') return fail(res, 400, ErrorCode.badMessage, 'hostKey is not canonical base64url of 32 bytes');
    if (!created.ok) {
      log.warn('room.refused', { reason: 'server-full', rooms: rooms.size });
      res.setHeader('Retry-After', '300');
      return fail(res, 503, ErrorCode.serverFull, 'this server holds as many rooms as its memory budget allows; try again later');
    }
    // Stored before the host hears of it: a room whose credential was handed out survives a restart.
    const stored = await owner.created(created.room).catch((error: unknown) => {
      log.warn('store.create-failed', { room: created.response.roomId, error: error instanceof Error ? error.name : 'unknown' });
      return false;
    });
    if (!stored) {
      rooms.delete(created.response.roomId);
      res.setHeader('Retry-After', '5');
      return fail(res, 503, ErrorCode.internal, 'the room store is unreachable; try again');
    }
    log.info('room.created', { room: created.response.roomId });
    res.status(201).json(created.response);
  });

  // For the load balancer's health checks (deploy/haproxy.cfg): this node answers.
  api.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  api.get('/rooms/:roomId', async (req, res) => {
    const id = req.params['roomId'] ?? '';
    if (!RoomId.safeParse(id).success) return fail(res, 400, ErrorCode.badMessage, 'malformed room id');
    let room: Room | null;
    try {
      room = await owner.peek(id);
    } catch (error) {
      if (error instanceof StoreRecordError) {
        log.warn('store.bad-record', { room: id });
        return fail(res, 500, ErrorCode.internal, error.message);
      }
      log.warn('store.read-failed', { room: id, error: error instanceof Error ? error.name : 'unknown' });
      res.setHeader('Retry-After', '1');
      return fail(res, 503, ErrorCode.internal, 'the room store is unreachable; try again');
    }
    if (!room) return fail(res, 404, ErrorCode.unknownRoom, 'no such room');
    const credential = bearer(req);
    if (credential === undefined || !room.acceptsBearer(credential)) return fail(res, 403, ErrorCode.badCredential, 'missing or wrong credential');
    res.json(room.status());
  });

  api.use((_req, res) => fail(res, 404, ErrorCode.badMessage, 'no such API route'));
  app.use('/api', api);

  // The built client. index.html is served for / and for room links, so the SPA can route.
  const indexFile = path.join(config.staticDir, 'index.html');
  const sendIndex: RequestHandler = (_req, res) => {
    if (!existsSync(indexFile)) {
      res.status(503).type('text/plain').send('The client is not built. Run `npm run build`, then reload.\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  };
  app.get('/', sendIndex);
  app.get('/r/:roomId', (req, res, next) => (RoomId.safeParse(req.params['roomId']).success ? sendIndex(req, res, next) : next()));
  // The manifest and the pinning service worker must never come from a stale HTTP cache.
  const revalidate = new Set(['sw.js', 'integrity.json', 'index.html']);
  app.use(
    express.static(config.staticDir, {
      index: false,
      dotfiles: 'ignore',
      setHeaders: (res, file) => {
        if (revalidate.has(path.basename(file)) && path.dirname(file) === config.staticDir) res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found\n');
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const type = typeof err === 'object' && err !== null && 'type' in err ? (err as { type: unknown }).type : undefined;
    if (type === 'entity.parse.failed') return fail(res, 400, ErrorCode.badJson, 'request body is not valid JSON');
    if (type === 'entity.too.large') return fail(res, 413, ErrorCode.tooLarge, `request body exceeds ${JSON_BODY_LIMIT}`);
    const status = typeof err === 'object' && err !== null && 'status' in err ? Number((err as { status: unknown }).status) : 500;
    if (status >= 400 && status < 500) return fail(res, status, ErrorCode.badMessage, 'bad request');
    log.warn('http.error', { method: req.method, error: err instanceof Error ? err.name : 'unknown' });
    fail(res, 500, ErrorCode.internal, 'internal error');
  };
  app.use(onError);
  return app;
}
