// Sealroom's pinning service worker. Once the page has pinned a build (client/src/lib/integrity/),
// this worker answers the app's pages and code files from that pinned copy, so code the server
// changes later does not run until the person accepts it on the code-changed notice. It decides
// nothing else: it holds no key, reads nothing but the pin, and passes every other request (the
// API, the manifest, the page's own checks) to the network untouched. Plain JavaScript with no
// build step and no imports, so it can be read as served.
//
// Must stay in step with client/src/lib/integrity/pin-store.ts (cache names, pin record, header).
'use strict';

const PIN_CACHE = 'sealroom-pin';
const PIN_KEY = '/__sealroom/pin';
const CODE_CACHE_PREFIX = 'sealroom-code-';
/** Requests carrying this header are the page checking what the server serves now. */
const CHECK_HEADER = 'x-sealroom-check';
/** The app's own routes (server/http.ts): they all get index.html. */
const APP_ROUTE = /^\/(?:r\/[A-Za-z0-9_-]{22})?$/;

self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || request.headers.has(CHECK_HEADER)) return;
  if (url.pathname.startsWith('/api/')) return;
  const navigation = request.mode === 'navigate';
  if (!navigation && url.search !== '') return;
  const path = navigation && APP_ROUTE.test(url.pathname) ? '/index.html' : url.pathname;
  event.respondWith(answer(request, path));
});

async function answer(request, path) {
  const pin = await readPin();
  if (pin === undefined || !Object.hasOwn(pin.files, path)) return fetch(request);
  const cache = await caches.open(CODE_CACHE_PREFIX + pin.manifestHash);
  const pinned = await cache.match(path);
  return pinned ?? fetch(request);
}

async function readPin() {
  try {
    const cache = await caches.open(PIN_CACHE);
    const record = await cache.match(PIN_KEY);
    if (record === undefined) return undefined;
    const pin = await record.json();
    if (typeof pin !== 'object' || pin === null || typeof pin.manifestHash !== 'string' || typeof pin.files !== 'object') return undefined;
    return pin;
  } catch {
    return undefined;
  }
}
