// Response headers sent on every HTTP answer: a strict Content-Security-Policy (the app's own
// scripts and wasm, workers from its own files only (never blob:, so every script that runs is a
// file the manifest lists; docs/decisions/0012-verifiable-client.md), sockets to this server and the configured LiveKit only),
// no referrer, no MIME sniffing, an isolated browsing context, and camera/microphone/screen
// capture for this origin only.
import type { RequestHandler } from 'express';

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
  ].join('; ');
}

export function securityHeaders(publicOrigins: readonly string[], livekitUrl: string | null): RequestHandler {
  const csp = contentSecurityPolicy(publicOrigins, livekitUrl);
  return (_req, res, next) => {
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
