// client/public/sw.js, run in a vm with a fake service worker scope, Cache API and network: which
// requests it answers from the pinned copy and which it leaves to the network.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { beforeEach, describe, expect, it } from 'vitest';

const SOURCE = readFileSync(new URL('../../client/public/sw.js', import.meta.url), 'utf8');
const ORIGIN = 'https://call.example';
const HASH = 'c'.repeat(64);

interface FetchEvent {
  request: Request;
  answered?: Promise<Response>;
  respondWith(answer: Promise<Response>): void;
}

let stores: Map<string, Map<string, Response>>;
let network: string[];
let fetchListener: (event: FetchEvent) => void;

function load(): void {
  const listeners: Record<string, (event: never) => void> = {};
  const caches = {
    open: async (name: string) => {
      const store = stores.get(name) ?? new Map<string, Response>();
      stores.set(name, store);
      return { match: async (key: string) => store.get(key)?.clone() };
    },
  };
  const self = { location: { origin: ORIGIN }, skipWaiting: () => undefined, addEventListener: (type: string, fn: (event: never) => void) => (listeners[type] = fn) };
  const fetch = async (request: Request) => {
    network.push(new URL(request.url).pathname);
    return new Response('from the network');
  };
  runInNewContext(SOURCE, { self, caches, fetch, URL, Response, Object });
  fetchListener = listeners['fetch'] as unknown as (event: FetchEvent) => void;
}

function pin(files: Record<string, string>): void {
  const digests = Object.fromEntries(Object.keys(files).map((f) => [f, 'd'.repeat(64)]));
  stores.set('sealroom-pin', new Map([['/__sealroom/pin', new Response(JSON.stringify({ manifestHash: HASH, files: digests }))]]));
  stores.set(`sealroom-code-${HASH}`, new Map(Object.entries(files).map(([f, body]) => [f, new Response(body)])));
}

/** What the worker answers for a request, or 'network' when it leaves it to the browser. */
async function ask(path: string, init: { mode?: RequestMode; headers?: Record<string, string>; method?: string; origin?: string } = {}): Promise<string> {
  const request = new Request(`${init.origin ?? ORIGIN}${path}`, { method: init.method ?? 'GET', headers: init.headers ?? {} });
  Object.defineProperty(request, 'mode', { value: init.mode ?? 'cors' });
  const event: FetchEvent = { request, respondWith: (answer) => (event.answered = answer) };
  fetchListener(event);
  return event.answered === undefined ? 'network' : (await event.answered).text();
}

beforeEach(() => {
  stores = new Map();
  network = [];
  load();
});

describe('pinning service worker', () => {
  it('answers the app routes with the pinned index.html and pinned files from the pinned copy', async () => {
    pin({ '/index.html': 'pinned page', '/assets/app.js': 'pinned script' });
    expect(await ask('/', { mode: 'navigate' })).toBe('pinned page');
    expect(await ask(`/r/${'A'.repeat(22)}`, { mode: 'navigate' })).toBe('pinned page');
    expect(await ask('/assets/app.js')).toBe('pinned script');
    expect(network).toEqual([]);
  });

  it('leaves the page checks, the API, the manifest, other origins, queries and non-GETs to the network', async () => {
    pin({ '/index.html': 'pinned page', '/assets/app.js': 'pinned script' });
    expect(await ask('/assets/app.js', { headers: { 'x-sealroom-check': '1' } })).toBe('network');
    expect(await ask('/api/rooms/AAAAAAAAAAAAAAAAAAAAAA')).toBe('network');
    expect(await ask('/assets/app.js?fresh')).toBe('network');
    expect(await ask('/assets/app.js', { origin: 'https://other.example' })).toBe('network');
    expect(await ask('/assets/app.js', { method: 'POST' })).toBe('network');
    expect(await ask('/integrity.json')).toBe('from the network');
    expect(await ask('/assets/unknown.js')).toBe('from the network');
  });

  it('passes everything to the network while nothing is pinned, and when the pin record is broken', async () => {
    expect(await ask('/', { mode: 'navigate' })).toBe('from the network');
    stores.set('sealroom-pin', new Map([['/__sealroom/pin', new Response('not json')]]));
    expect(await ask('/assets/app.js')).toBe('from the network');
    expect(network).toEqual(['/', '/assets/app.js']);
  });

  it('does not give index.html to a navigation that is not an app route', async () => {
    pin({ '/index.html': 'pinned page' });
    expect(await ask('/r/short', { mode: 'navigate' })).toBe('from the network');
  });
});
