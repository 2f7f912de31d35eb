// The Content-Security-Policy the server sends, against WEBCAT's published CSP rules for enrolled
// sites (docs.webcat.tech, "CSP", as of its alpha): which sources each script, worker and frame
// directive may hold. See docs/decisions/0012-verifiable-client.md.
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../server/security-headers';

const HASH = /^'sha(256|384|512)-[A-Za-z0-9+/=]+'$/;
const ALLOWED: Record<string, (source: string) => boolean> = {
  'default-src': (s) => ["'self'", "'none'"].includes(s),
  'script-src': (s) => ["'self'", "'none'", "'wasm-unsafe-eval'"].includes(s) || HASH.test(s),
  'style-src': (s) => ["'self'", "'none'", "'unsafe-inline'", "'unsafe-hashes'"].includes(s) || HASH.test(s),
  'object-src': (s) => s === "'none'",
  'worker-src': (s) => ["'self'", "'none'"].includes(s),
  'frame-src': (s) => ["'self'", "'none'", 'blob:', 'data:'].includes(s),
};

function directives(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

/** WEBCAT's rules broken by a policy, as readable lines (empty when it complies). */
function webcatViolations(csp: string): string[] {
  if (csp.includes(',')) return ['more than one policy in the header'];
  const d = directives(csp);
  const problems: string[] = [];
  for (const [name, ok] of Object.entries(ALLOWED)) for (const s of d.get(name) ?? []) if (!ok(s)) problems.push(`${name} holds ${s}`);
  if (!d.get('default-src')?.includes("'none'")) {
    for (const required of ['object-src', 'worker-src']) if (!d.has(required)) problems.push(`${required} is missing`);
    if (!d.has('frame-src') && !d.has('child-src')) problems.push('frame-src or child-src is missing');
  }
  return problems;
}

describe('content security policy and WEBCAT', () => {
  it('breaks none of WEBCAT rules, with or without a LiveKit origin', () => {
    expect(webcatViolations(contentSecurityPolicy(['https://call.example'], { url: 'wss://sfu.example', extraOrigins: ['wss://*.sfu.example'] }))).toEqual([]);
    expect(webcatViolations(contentSecurityPolicy([], null))).toEqual([]);
    expect(webcatViolations(contentSecurityPolicy(['https://call.example'], { url: 'wss://p.livekit.cloud', extraOrigins: [] }))).toEqual([]);
  });

  it('would catch the policies WEBCAT refuses (the checker is not vacuous)', () => {
    expect(webcatViolations("default-src 'self'; script-src 'self' 'unsafe-eval'; object-src 'none'; worker-src 'self'; frame-src 'none'")).toEqual(["script-src holds 'unsafe-eval'"]);
    expect(webcatViolations("default-src 'self'; script-src 'self'; object-src 'none'; worker-src 'self' blob:; frame-src 'none'")).toEqual(['worker-src holds blob:']);
    expect(webcatViolations("default-src 'self'; script-src 'self'; object-src 'none'")).toEqual(['worker-src is missing', 'frame-src or child-src is missing']);
  });
});
