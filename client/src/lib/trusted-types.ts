// The app's Trusted Types `default` policy (the CSP requires Trusted Types for every script sink;
// server/security-headers.ts). Imported first by main.ts, before anything can reach a sink. It
// turns a script URL string into a TrustedScriptURL only when it is of this origin (the media
// Worker, the pinning service worker, the effects' loaders all are), and refuses any other: a
// script URL from elsewhere throws instead of running. It makes no HTML and no script text, so
// innerHTML and eval-like sinks stay closed to strings; Svelte's compiled templates go through its
// own `svelte-trusted-html` policy. Browsers without Trusted Types (Firefox, Safari) skip this.
interface TrustedTypesFactory {
  readonly defaultPolicy: unknown;
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): unknown;
}

const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
if (factory !== undefined && factory.defaultPolicy === null) {
  factory.createPolicy('default', {
    createScriptURL(url: string): string {
      const parsed = new URL(url, location.href);
      if (parsed.origin !== location.origin) throw new TypeError(`Trusted Types: refused the script URL ${parsed.origin}${parsed.pathname}`);
      return parsed.href;
    },
  });
}
