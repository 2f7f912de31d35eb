// Response headers sent on every HTTP answer: a strict Content-Security-Policy (the app's own
// scripts and wasm, workers from its own files only (never blob:, so every script that runs is a
// file the manifest lists; docs/decisions/0012-verifiable-client.md), sockets to this server and the configured LiveKit only),
// no referrer, no MIME sniffing, an isolated browsing context, and camera/microphone/screen
// capture for this origin only. Trusted Types are required for every script sink: the only
// policies are Svelte's own (`svelte-trusted-html`, for its compiled templates) and the app's
// `default` (client/src/lib/trusted-types.ts: same-origin script URLs only, no HTML, no script
// text). Behind an https public origin, HSTS tells browsers never to use plain http again.
import type { RequestHandler } from 'express';

/** The Trusted Types policies the app creates (CSP `trusted-types`); any other name is refused. */
const TRUSTED_TYPES_POLICIES = ['default', 'svelte-trusted-html'] as const;
/** One year; no includeSubDomains or preload, which would bind other sites of the operator. */
const HSTS = 'max-age=31536000';

/** ws(s) and http(s) origins of a URL, whichever scheme it was given in. */
function socketAndHttpOrigins(url: string): string[] {
  const u = new URL(url);
  const secure = u.protocol === 'wss:' || u.protocol === 'https:';
  return [`${secure ? 'wss' : 'ws'}://${u.host}`, `${secure ? 'https' : 'http'}://${u.host}`];
}

export function contentSecurityPolicy(publicOrigins: readonly string[], livekitUrl: string | null): string {
  // 'self' covers same-origin sockets in CSP3 browsers; the explicit ws origins cover older ones.
  const connect = new Set<string>(["'self'"]);
  for (const o of publicOrigins) for (const s of socketAndHttpOrigins(o)) connect.add(s);
  if (livekitUrl !== null) for (const s of socketAndHttpOrigins(livekitUrl)) connect.add(s);
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    `connect-src ${[...connect].join(' ')}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "require-trusted-types-for 'script'",
    `trusted-types ${TRUSTED_TYPES_POLICIES.join(' ')}`,
  ].join('; ');
}

/** HSTS is sent when the configured public origins are all https (never for a plain-http dev server). */
export function wantsHsts(publicOrigins: readonly string[] | null): boolean {
  return publicOrigins !== null && publicOrigins.length > 0 && publicOrigins.every((o) => o.startsWith('https://'));
}

export function securityHeaders(publicOrigins: readonly string[], livekitUrl: string | null, hsts = false): RequestHandler {
  const csp = contentSecurityPolicy(publicOrigins, livekitUrl);
  return (_req, res, next) => {
    if (hsts) res.setHeader('Strict-Transport-Security', HSTS);
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(self), microphone=(self), display-capture=(self)');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  };
}
