// Response headers sent on every HTTP answer: a strict Content-Security-Policy (the app's own
// scripts and wasm, workers from its own files only (never blob:, so every script that runs is a
// file the manifest lists; docs/decisions/0012-verifiable-client.md), sockets to this server and the
// configured LiveKit only: its URL's origin, LiveKit Cloud's region hosts for a Cloud URL, and the
// operator's LIVEKIT_EXTRA_ORIGINS; docs/decisions/0021-livekit-cluster-and-public-sfu.md),
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

/**
 * The domains livekit-client treats as LiveKit Cloud (its `isCloud`): for such a URL it fetches
 * `/settings/regions` and connects, or fails over, to the region hosts listed there, all under the
 * same domain (`<project>.<region>.production.livekit.cloud`). CSP cannot say "this project in any
 * region", so the policy allows the whole domain's https and wss hosts.
 */
const LIVEKIT_CLOUD_DOMAINS = ['livekit.cloud', 'livekit.run'] as const;

/** What the CSP needs to know of the LiveKit deployment (server/config.ts LiveKitConfig has it). */
export interface LiveKitSources {
  readonly url: string;
  /** Validated ws(s)/http(s) origins, possibly with a leading `*.` label (config.ts LIVEKIT_EXTRA_ORIGINS). */
  readonly extraOrigins: readonly string[];
}

/** ws(s) and http(s) origins of a URL, whichever scheme it was given in. */
function socketAndHttpOrigins(url: string): string[] {
  const u = new URL(url);
  const secure = u.protocol === 'wss:' || u.protocol === 'https:';
  return [`${secure ? 'wss' : 'ws'}://${u.host}`, `${secure ? 'https' : 'http'}://${u.host}`];
}

/** connect-src sources for LiveKit: its URL's origin, the Cloud domain for a Cloud URL, the extra origins. */
function liveKitSources(livekit: LiveKitSources): string[] {
  const sources = socketAndHttpOrigins(livekit.url);
  const host = new URL(livekit.url).hostname;
  for (const domain of LIVEKIT_CLOUD_DOMAINS) if (host.endsWith(`.${domain}`)) sources.push(`wss://*.${domain}`, `https://*.${domain}`);
  for (const extra of livekit.extraOrigins) sources.push(...socketAndHttpOrigins(extra));
  return sources;
}

export function contentSecurityPolicy(publicOrigins: readonly string[], livekit: LiveKitSources | null): string {
  // 'self' covers same-origin sockets in CSP3 browsers; the explicit ws origins cover older ones.
  const connect = new Set<string>(["'self'"]);
  for (const o of publicOrigins) for (const s of socketAndHttpOrigins(o)) connect.add(s);
  if (livekit !== null) for (const s of liveKitSources(livekit)) connect.add(s);
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

export function securityHeaders(publicOrigins: readonly string[], livekit: LiveKitSources | null, hsts = false): RequestHandler {
  const csp = contentSecurityPolicy(publicOrigins, livekit);
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
