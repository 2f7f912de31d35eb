// server/tokens.ts: grants for opaque ids only, and SFU admin calls that fail softly.
import { TokenVerifier } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log';
import { createGrantIssuer, createSfuAdmin } from '../../server/tokens';
import { API_KEY, API_SECRET, unusedPort } from './helpers';

describe('grant issuer', () => {
  it('says iceServers default for a remote LiveKit and honours the TTL', async () => {
    const issuer = createGrantIssuer({ url: 'wss://sfu.example.org', apiKey: API_KEY, apiSecret: API_SECRET, local: false }, 60);
    const grant = await issuer.issue('R'.repeat(22), 'P'.repeat(22));
    expect(grant).toMatchObject({ url: 'wss://sfu.example.org', iceServers: 'default' });
    const claims = await new TokenVerifier(API_KEY, API_SECRET).verify(grant.token);
    expect((claims.exp ?? 0) - (claims.nbf ?? 0)).toBe(60);
    expect(claims.sub).toBe('P'.repeat(22));
    expect(claims.video?.room).toBe('R'.repeat(22));
    expect(grant.iceTransportPolicy).toBeUndefined();
  });

  it('tells clients to use relays only when LIVEKIT_FORCE_RELAY is on', async () => {
    const issuer = createGrantIssuer({ url: 'wss://sfu.example.org', apiKey: API_KEY, apiSecret: API_SECRET, local: false, forceRelay: true }, 60);
    expect(await issuer.issue('R'.repeat(22), 'P'.repeat(22))).toMatchObject({ iceServers: 'default', iceTransportPolicy: 'relay' });
  });
});

describe('sfu admin', () => {
  it('never rejects when LiveKit is unreachable, and logs ids and an error class only', async () => {
    const lines: string[] = [];
    const admin = createSfuAdmin({ url: `ws://127.0.0.1:${await unusedPort()}`, apiKey: API_KEY, apiSecret: API_SECRET, local: true }, createLogger('info', (l) => lines.push(l)));
    await expect(admin.removeParticipant('R'.repeat(22), 'P'.repeat(22))).resolves.toBeUndefined();
    await expect(admin.deleteRoom('R'.repeat(22))).resolves.toBeUndefined();
    expect(lines.map((l) => JSON.parse(l).event)).toEqual(['sfu.participant-removed.failed', 'sfu.room-deleted.failed']);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', room: 'R'.repeat(22), participant: 'P'.repeat(22) });
    expect(lines.join('\n')).not.toContain(API_SECRET);
    expect(lines.join('\n')).not.toContain(API_KEY);
  });

  it('does nothing without a LiveKit', async () => {
    const lines: string[] = [];
    const admin = createSfuAdmin(null, createLogger('info', (l) => lines.push(l)));
    await admin.removeParticipant('R'.repeat(22), 'P'.repeat(22));
    expect(lines).toEqual([]);
  });
});
