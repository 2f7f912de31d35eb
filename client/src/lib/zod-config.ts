// zod settings for the browser, applied before any schema exists (main.ts imports this first):
// zod builds object parsers with `new Function` when it may, and its probe for that is itself an
// eval. Sealroom's CSP ('script-src' without 'unsafe-eval') blocks it, and both Chromium and Firefox
// report a securitypolicyviolation each page load. jitless: no probe, no eval; parsing is the same.
// (The flag is read when a schema is created, so it must be set before protocol/protocol.ts loads.)
import { z } from 'zod';

z.config({ jitless: true });
