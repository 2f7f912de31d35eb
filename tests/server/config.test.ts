// server/config.ts: defaults, LiveKit all-or-nothing, and range checks that fail fast.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOM_LEASE_MS } from '../../protocol/limits';
import { ConfigError, REPO_ROOT, effectiveOrigins, loadConfig } from '../../server/config';

const LK = { LIVEKIT_URL: 'wss://sfu.example.org', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: 'secret' };

describe('config', () => {
  it('uses the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.publicOrigins).toBeNull();
    expect(c.livekit).toBeNull();
    expect(c.tokenTtlSeconds).toBe(600);
    expect(c.roomIdleTtlSeconds).toBe(86400);
    expect(c.staticDir).toBe(path.join(REPO_ROOT, 'client', 'dist'));
    expect(c.trustProxy).toBeUndefined();
    expect(c.heartbeatMs).toBe(15_000);
    expect(c.redisUrl).toBeNull();
    expect(c.leaseMs).toBe(ROOM_LEASE_MS);
  });

  it('reads the room store and the lease', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@redis.internal:6380/2', ROOM_LEASE_MS: '5000' })).toMatchObject({ redisUrl: 'rediss://:pw@redis.internal:6380/2', leaseMs: 5000 });
  });

  it('derives the default origins from the bound port', () => {
    expect(effectiveOrigins(loadConfig({ PORT: '0' }), 43210)).toEqual(['http://localhost:43210', 'http://127.0.0.1:43210']);
  });

  it('reads a full set of values', () => {
    const c = loadConfig({ ...LK, PORT: '0', HOST: '::1', PUBLIC_ORIGINS: 'https://a.example, https://b.example:8443/', LIVEKIT_LOCAL: 'true', TOKEN_TTL_SECONDS: '120', ROOM_IDLE_TTL_SECONDS: '60', STATIC_DIR: '/srv/www', TRUST_PROXY: '1' });
    expect(c).toMatchObject({ port: 0, host: '::1', publicOrigins: ['https://a.example', 'https://b.example:8443'], tokenTtlSeconds: 120, roomIdleTtlSeconds: 60, staticDir: '/srv/www', trustProxy: 1 });
    expect(c.livekit).toEqual({ url: 'wss://sfu.example.org', apiKey: 'key', apiSecret: 'secret', local: true, extraOrigins: [], forceRelay: false });
    expect(effectiveOrigins(c, 1)).toEqual(['https://a.example', 'https://b.example:8443']);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', LIVEKIT_URL: '', LIVEKIT_API_KEY: '', LIVEKIT_API_SECRET: '' })).toMatchObject({ port: 8080, livekit: null });
  });

  it('rejects a partial LiveKit setting and names what is missing', () => {
    expect(() => loadConfig({ LIVEKIT_URL: LK.LIVEKIT_URL })).toThrow(/missing LIVEKIT_API_KEY, LIVEKIT_API_SECRET/);
    expect(() => loadConfig({ LIVEKIT_URL: LK.LIVEKIT_URL, LIVEKIT_API_KEY: 'k' })).toThrow(/missing LIVEKIT_API_SECRET$/);
    expect(() => loadConfig({ LIVEKIT_API_SECRET: 's' })).toThrow(ConfigError);
  });

  it('rejects LIVEKIT_LOCAL without a LiveKit', () => {
    expect(() => loadConfig({ LIVEKIT_LOCAL: 'true' })).toThrow(/LIVEKIT_LOCAL/);
  });

  it('rejects a token TTL over 600 seconds', () => {
    expect(() => loadConfig({ TOKEN_TTL_SECONDS: '601' })).toThrow(/TOKEN_TTL_SECONDS must be at most 600/);
  });

  it.each([
    ['PORT', '70000', /PORT must be at most 65535/],
    ['PORT', 'eighty', /PORT must be a number/],
    ['ROOM_IDLE_TTL_SECONDS', '0', /ROOM_IDLE_TTL_SECONDS must be at least 1/],
    ['TOKEN_TTL_SECONDS', '1.5', /TOKEN_TTL_SECONDS must be an integer/],
    ['LIVEKIT_LOCAL', 'maybe', /LIVEKIT_LOCAL must be true or false/],
    ['PUBLIC_ORIGINS', 'https://a.example/path', /is not an origin/],
    ['PUBLIC_ORIGINS', 'ftp://a.example', /is not an origin/],
    ['LOG_LEVEL', 'debug', /LOG_LEVEL must be info or silent/],
    ['REDIS_URL', 'http://redis.internal:6379', /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL must be/],
    ['ROOM_LEASE_MS', '100', /ROOM_LEASE_MS must be at least 300/],
  ])('rejects %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('rejects a LiveKit URL that is not ws(s) or http(s)', () => {
    expect(() => loadConfig({ ...LK, LIVEKIT_URL: 'file:///etc/passwd' })).toThrow(/LIVEKIT_URL must be/);
  });

  it('parses TRUST_PROXY as a boolean, a hop count or an address list', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
  });
});
