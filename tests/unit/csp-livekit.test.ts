// The CSP's connect-src and the LiveKit deployment: the exact LIVEKIT_URL origin, LiveKit Cloud's
// region and failover hosts (livekit-client fetches /settings/regions from a *.livekit.cloud or
// *.livekit.run URL and reconnects to the hosts it lists, under the same domain), and the operator's
// LIVEKIT_EXTRA_ORIGINS. Checked with CSP3's host-source matching (w3.org/TR/CSP3 §6.7.2.8), so
// an allowed host is one a browser would let the page open, and no more.
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../server/security-headers';

const DEFAULT_PORTS: Record<string, string> = { 'ws:': '80', 'wss:': '443', 'http:': '80', 'https:': '443' };

function connectSources(csp: string): string[] {
  const directive = csp.split(';').map((d) => d.trim().split(/\s+/)).find(([name]) => name === 'connect-src');
  return directive?.slice(1) ?? [];
}

/** CSP3 host-source matching for explicit-scheme sources (the only kind connect-src holds here, besides 'self'). */
function sourceAllows(source: string, target: URL): boolean {
  const match = /^([a-z]+:)\/\/(\*\.)?([^:/]+)(?::(\d+))?$/.exec(source);
  if (match === null) return false;
  const [, scheme, wildcard, host, port] = match;
  if (scheme !== target.protocol) return false;
  const hostOk = wildcard === undefined ? target.hostname === host : target.hostname.endsWith(`.${host!}`);
  return hostOk && (port ?? DEFAULT_PORTS[scheme!]) === (target.port || DEFAULT_PORTS[target.protocol]);
}

const allows = (csp: string, url: string) => connectSources(csp).some((s) => sourceAllows(s, new URL(url)));

const PAGE = ['https://call.example'];

describe('connect-src and the LiveKit deployment', () => {
  it('allows the exact LIVEKIT_URL origin, as a socket and over https', () => {
    const csp = contentSecurityPolicy(PAGE, { url: 'wss://sfu.example.org', extraOrigins: [] });
    expect(allows(csp, 'wss://sfu.example.org/rtc/v1')).toBe(true);
    expect(allows(csp, 'https://sfu.example.org/rtc/v1/validate')).toBe(true);
    expect(allows(csp, 'wss://other.example.org/rtc')).toBe(false);
    expect(allows(csp, 'wss://x.sfu.example.org/rtc')).toBe(false);
  });

  it("allows LiveKit Cloud's region and failover hosts for a *.livekit.cloud URL", () => {
    const csp = contentSecurityPolicy(PAGE, { url: 'wss://myproject.livekit.cloud', extraOrigins: [] });
    expect(allows(csp, 'https://myproject.livekit.cloud/settings/regions')).toBe(true);
    expect(allows(csp, 'wss://myproject.eu-central.production.livekit.cloud/rtc/v1')).toBe(true);
    expect(allows(csp, 'https://myproject.us-west.production.livekit.cloud/rtc/v1/validate')).toBe(true);
    // Not the bare domain, not look-alikes, not plain ws, not other domains.
    expect(allows(csp, 'wss://livekit.cloud/rtc')).toBe(false);
    expect(allows(csp, 'wss://evil-livekit.cloud/rtc')).toBe(false);
    expect(allows(csp, 'ws://myproject.eu.production.livekit.cloud/rtc')).toBe(false);
    expect(allows(csp, 'wss://myproject.livekit.cloud.evil.example/rtc')).toBe(false);
  });

  it('allows the same for a *.livekit.run URL, which livekit-client also treats as LiveKit Cloud', () => {
    const csp = contentSecurityPolicy(PAGE, { url: 'wss://myproject.livekit.run', extraOrigins: [] });
    expect(allows(csp, 'wss://myproject.eu.staging.livekit.run/rtc')).toBe(true);
    expect(allows(csp, 'wss://myproject.eu.production.livekit.cloud/rtc')).toBe(false);
  });

  it('adds no wildcard for a self-hosted LiveKit', () => {
    const csp = contentSecurityPolicy(PAGE, { url: 'wss://sfu.example.org', extraOrigins: [] });
    expect(connectSources(csp).filter((s) => s.includes('*'))).toEqual([]);
  });

  it('allows every LIVEKIT_EXTRA_ORIGINS entry, as a socket and over http(s)', () => {
    const csp = contentSecurityPolicy(PAGE, { url: 'wss://sfu-a.example.org', extraOrigins: ['wss://sfu-b.example.org:7443', 'wss://*.sfu.example.net'] });
    expect(allows(csp, 'wss://sfu-b.example.org:7443/rtc')).toBe(true);
    expect(allows(csp, 'https://sfu-b.example.org:7443/rtc/v1/validate')).toBe(true);
    expect(allows(csp, 'wss://sfu-b.example.org/rtc')).toBe(false); // another port
    expect(allows(csp, 'wss://eu.sfu.example.net/rtc')).toBe(true);
    expect(allows(csp, 'wss://sfu.example.net/rtc')).toBe(false);
  });

  it('allows no LiveKit origin at all without a LiveKit', () => {
    expect(connectSources(contentSecurityPolicy(PAGE, null))).toEqual(["'self'", 'wss://call.example', 'https://call.example']);
  });
});
