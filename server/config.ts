// Server configuration: the environment is parsed once, here, with zod, and a bad setting stops
// the process with a message that names the variable. Everything else takes the typed Config.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { HOST_PROOF_TIMEOUT_MS, ROOM_LEASE_MS, MAX_ROOMS, MAX_STORED_BYTES, ROOM_CREATES_PER_MINUTE_PER_64, ROOM_CREATES_PER_MINUTE_PER_ADDRESS } from '../protocol/limits';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const MAX_TOKEN_TTL_SECONDS = 600;

export interface LiveKitConfig {
  readonly url: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** The embedded loopback LiveKit: grants say `iceServers: 'none'`. */
  readonly local: boolean;
  /** More origins the CSP lets the client connect to (LIVEKIT_EXTRA_ORIGINS): other nodes or regions. */
  readonly extraOrigins: readonly string[];
  /** Grants tell clients to use TURN relays only (LIVEKIT_FORCE_RELAY; docs/decisions/0021). */
  readonly forceRelay: boolean;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Allowed WebSocket Origins; null = http://localhost:<port> and http://127.0.0.1:<port> of the bound port. */
  readonly publicOrigins: readonly string[] | null;
  /** null when no LiveKit is configured: no grants can be issued. */
  readonly livekit: LiveKitConfig | null;
  readonly tokenTtlSeconds: number;
  readonly roomIdleTtlSeconds: number;
  readonly staticDir: string;
  /** Passed to express's `trust proxy` setting; undefined = do not trust forwarded headers. */
  readonly trustProxy: boolean | number | string | undefined;
  readonly logLevel: 'info' | 'silent';
  /** REDIS_URL: the room store shared by every node; null = this process's own store (server/room-store.ts). */
  readonly redisUrl: string | null;
  /** Not from the environment: tuning knobs with defaults, overridable by tests. */
  readonly heartbeatMs: number;
  /** A host connection that has not answered its challenge this long after opening is closed (4407). */
  readonly hostProofTimeoutMs: number;
  readonly roomCreatesPerMinutePerIp: number;
  /** Room creations per minute from one IPv6 /64 (protocol/limits.ts). */
  readonly roomCreatesPerMinutePer64: number;
  readonly maxRooms: number;
  /** The rooms' memory budget in bytes (protocol/limits.ts MAX_STORED_BYTES). */
  readonly maxStoredBytes: number;
  /** How long a node's lease on a room lasts unless renewed: the bound on a takeover (protocol/limits.ts ROOM_LEASE_MS). */
  readonly leaseMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Empty strings count as unset, so `FOO=` in a compose file behaves like no FOO at all. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const intIn = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

const bool = (name: string) =>
  z.string().transform((s, ctx) => {
    const v = s.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: `${name} must be true or false` });
    return z.NEVER;
  });

const origin = z.string().transform((s, ctx) => {
  const text = s.trim().replace(/\/$/, '');
  try {
    const url = new URL(text);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text) return text;
  } catch {
    // fall through to the issue below
  }
  ctx.addIssue({ code: 'custom', message: `PUBLIC_ORIGINS entry ${JSON.stringify(s)} is not an origin like https://example.org` });
  return z.NEVER;
});

const livekitUrl = z.string().refine((s) => {
  try {
    return ['ws:', 'wss:', 'http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'LIVEKIT_URL must be a ws://, wss://, http:// or https:// URL');

/** One LIVEKIT_EXTRA_ORIGINS entry: a ws(s)/http(s) origin whose host may start with one `*.` label. */
const EXTRA_ORIGIN = /^(wss?|https?):\/\/(\*\.)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?|localhost|\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/;

const extraOrigin = z.string().transform((s, ctx) => {
  const text = s.trim().toLowerCase().replace(/\/$/, '');
  const match = EXTRA_ORIGIN.exec(text);
  const port = match?.[4] === undefined ? undefined : Number(match[4]);
  const wildcard = match?.[2] !== undefined;
  // A wildcard needs at least two labels under it (`*.example.org`, never `*.org`), and no IP address.
  const host = match?.[3] ?? '';
  const wildcardOk = !wildcard || (host.includes('.') && !/^[\d.]+$/.test(host));
  if (match !== null && wildcardOk && (port === undefined || (port >= 1 && port <= 65535))) return text;
  ctx.addIssue({ code: 'custom', message: `LIVEKIT_EXTRA_ORIGINS entry ${JSON.stringify(s)} is not an origin like wss://sfu-2.example.org or wss://*.sfu.example.org (ws, wss, http or https; no path; a wildcard only as the first label)` });
  return z.NEVER;
});

const redisUrl = z.string().refine((s) => {
  try {
    return ['redis:', 'rediss:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'REDIS_URL must be a redis:// or rediss:// URL');

const EnvSchema = z.object({
  PORT: optional(intIn('PORT', 0, 65535)),
  HOST: optional(z.string().min(1)),
  PUBLIC_ORIGINS: optional(z.string().transform((s) => s.split(',').filter((p) => p.trim() !== '')).pipe(z.array(origin).min(1, 'PUBLIC_ORIGINS lists no origin'))),
  LIVEKIT_URL: optional(livekitUrl),
  LIVEKIT_API_KEY: optional(z.string()),
  LIVEKIT_API_SECRET: optional(z.string()),
  LIVEKIT_LOCAL: optional(bool('LIVEKIT_LOCAL')),
  LIVEKIT_EXTRA_ORIGINS: optional(z.string().transform((s) => s.split(',').filter((p) => p.trim() !== '')).pipe(z.array(extraOrigin).min(1, 'LIVEKIT_EXTRA_ORIGINS lists no origin'))),
  LIVEKIT_FORCE_RELAY: optional(bool('LIVEKIT_FORCE_RELAY')),
  TOKEN_TTL_SECONDS: optional(intIn('TOKEN_TTL_SECONDS', 10, MAX_TOKEN_TTL_SECONDS)),
  ROOM_IDLE_TTL_SECONDS: optional(intIn('ROOM_IDLE_TTL_SECONDS', 1, 365 * 86400)),
  STATIC_DIR: optional(z.string()),
  TRUST_PROXY: optional(z.string()),
  REDIS_URL: optional(redisUrl),
  ROOM_LEASE_MS: optional(intIn('ROOM_LEASE_MS', 300, 60_000)),
  LOG_LEVEL: optional(z.enum(['info', 'silent'], { error: 'LOG_LEVEL must be info or silent' })),
});

function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v; // express accepts a comma list of addresses, subnets or names like "loopback"
}

function parseLiveKit(env: z.infer<typeof EnvSchema>): LiveKitConfig | null {
  const parts = { LIVEKIT_URL: env.LIVEKIT_URL, LIVEKIT_API_KEY: env.LIVEKIT_API_KEY, LIVEKIT_API_SECRET: env.LIVEKIT_API_SECRET };
  const missing = Object.entries(parts).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length === 3) {
    for (const name of ['LIVEKIT_LOCAL', 'LIVEKIT_EXTRA_ORIGINS', 'LIVEKIT_FORCE_RELAY'] as const) {
      if (env[name] !== undefined && env[name] !== false) throw new ConfigError(`${name} is set but LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET are not`);
    }
    return null;
  }
  if (missing.length > 0) {
    throw new ConfigError(`LiveKit settings are incomplete: set all of LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET, or none; missing ${missing.join(', ')}`);
  }
  const local = env.LIVEKIT_LOCAL ?? false;
  const forceRelay = env.LIVEKIT_FORCE_RELAY ?? false;
  // The embedded LiveKit's grants tell clients to use no ICE server, so there would be no relay to use.
  if (local && forceRelay) throw new ConfigError('LIVEKIT_FORCE_RELAY needs the ICE servers LiveKit hands out, which LIVEKIT_LOCAL ignores: set one or the other');
  return { url: parts.LIVEKIT_URL!, apiKey: parts.LIVEKIT_API_KEY!, apiSecret: parts.LIVEKIT_API_SECRET!, local, extraOrigins: env.LIVEKIT_EXTRA_ORIGINS ?? [], forceRelay };
}

/** Pure: reads only `env`. Throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || 'env'}: ${i.message}`);
    throw new ConfigError(`invalid server configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  const staticDir = e.STATIC_DIR ?? 'client/dist';
  return {
    port: e.PORT ?? 8080,
    host: e.HOST ?? '127.0.0.1',
    publicOrigins: e.PUBLIC_ORIGINS ?? null,
    livekit: parseLiveKit(e),
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS ?? MAX_TOKEN_TTL_SECONDS,
    roomIdleTtlSeconds: e.ROOM_IDLE_TTL_SECONDS ?? 86400,
    staticDir: path.resolve(REPO_ROOT, staticDir),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL ?? 'info',
    redisUrl: e.REDIS_URL ?? null,
    heartbeatMs: 15_000,
    hostProofTimeoutMs: HOST_PROOF_TIMEOUT_MS,
    roomCreatesPerMinutePerIp: ROOM_CREATES_PER_MINUTE_PER_ADDRESS,
    roomCreatesPerMinutePer64: ROOM_CREATES_PER_MINUTE_PER_64,
    maxRooms: MAX_ROOMS,
    maxStoredBytes: MAX_STORED_BYTES,
    leaseMs: e.ROOM_LEASE_MS ?? ROOM_LEASE_MS,
  };
}

/** The origins a browser may open sockets from, once the bound port is known. */
export function effectiveOrigins(config: Config, port: number): string[] {
  return config.publicOrigins !== null ? [...config.publicOrigins] : [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
}
