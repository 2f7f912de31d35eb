// server/config.ts, the LiveKit deployment's reach: LIVEKIT_EXTRA_ORIGINS (more origins the CSP lets
// clients connect to) and LIVEKIT_FORCE_RELAY (TURN relays only). Bad values stop the server with a
// message that names the variable and the entry.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';

const LK = { LIVEKIT_URL: 'wss://sfu.example.org', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: 'secret' };

describe('LIVEKIT_EXTRA_ORIGINS', () => {
  it('reads a comma-separated list of origins and wildcard origins, normalised', () => {
    const c = loadConfig({ ...LK, LIVEKIT_EXTRA_ORIGINS: ' wss://SFU-2.example.org:7443/ , wss://*.eu.example.net,https://127.0.0.1:7880' });
    expect(c.livekit?.extraOrigins).toEqual(['wss://sfu-2.example.org:7443', 'wss://*.eu.example.net', 'https://127.0.0.1:7880']);
  });

  it('is empty when unset or empty', () => {
    expect(loadConfig(LK).livekit?.extraOrigins).toEqual([]);
    expect(loadConfig({ ...LK, LIVEKIT_EXTRA_ORIGINS: '' }).livekit?.extraOrigins).toEqual([]);
  });

  it.each([
    ['a path', 'wss://sfu.example.org/rtc'],
    ['a query', 'wss://sfu.example.org?x=1'],
    ['another scheme', 'ftp://sfu.example.org'],
    ['no scheme', 'sfu.example.org'],
    ['a bare wildcard', 'wss://*'],
    ['a wildcard over a top-level domain', 'wss://*.org'],
    ['a wildcard inside a host', 'wss://sfu.*.example.org'],
    ['a wildcard over an address', 'wss://*.0.0.1'],
    ['a CSP keyword smuggled in', "wss://sfu.example.org 'unsafe-eval'"],
    ['a second directive smuggled in', 'wss://sfu.example.org; script-src *'],
    ['a port out of range', 'wss://sfu.example.org:70000'],
    ['credentials', 'wss://user@sfu.example.org'],
  ])('refuses an entry with %s, naming it', (_what, entry) => {
    expect(() => loadConfig({ ...LK, LIVEKIT_EXTRA_ORIGINS: `wss://ok.example.org,${entry}` })).toThrow(
      new RegExp(`LIVEKIT_EXTRA_ORIGINS entry ${JSON.stringify(entry).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not an origin`),
    );
  });

  it('refuses a list of commas only', () => {
    expect(() => loadConfig({ ...LK, LIVEKIT_EXTRA_ORIGINS: ' , ,' })).toThrow(/LIVEKIT_EXTRA_ORIGINS lists no origin/);
  });

  it('refuses extra origins without a LiveKit', () => {
    expect(() => loadConfig({ LIVEKIT_EXTRA_ORIGINS: 'wss://sfu.example.org' })).toThrow(ConfigError);
    expect(() => loadConfig({ LIVEKIT_EXTRA_ORIGINS: 'wss://sfu.example.org' })).toThrow(/LIVEKIT_EXTRA_ORIGINS is set but LIVEKIT_URL/);
  });
});

describe('LIVEKIT_FORCE_RELAY', () => {
  it('is off by default and on when set', () => {
    expect(loadConfig(LK).livekit?.forceRelay).toBe(false);
    expect(loadConfig({ ...LK, LIVEKIT_FORCE_RELAY: 'true' }).livekit?.forceRelay).toBe(true);
  });

  it('refuses to go with LIVEKIT_LOCAL, whose grants use no ICE server and so no relay', () => {
    expect(() => loadConfig({ ...LK, LIVEKIT_LOCAL: 'true', LIVEKIT_FORCE_RELAY: 'true' })).toThrow(/LIVEKIT_FORCE_RELAY needs the ICE servers/);
  });

  it('refuses a value that is not a boolean, and a setting without a LiveKit', () => {
    expect(() => loadConfig({ ...LK, LIVEKIT_FORCE_RELAY: 'sometimes' })).toThrow(/LIVEKIT_FORCE_RELAY must be true or false/);
    expect(() => loadConfig({ LIVEKIT_FORCE_RELAY: 'true' })).toThrow(/LIVEKIT_FORCE_RELAY is set but LIVEKIT_URL/);
  });
});
