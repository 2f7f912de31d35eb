// The page's side of code pinning: runs checkServedCode once before App.svelte shows any page,
// registers the pinning service worker, pins the build on a first visit, and re-pins when the
// person accepts a changed version. The gate stays closed (`blocks`) while the result is
// `checking`, `changed` or `inconsistent`.
import { checkServedCode, pinServedCode, type CodeCheck, type Fetcher } from './check';
import { CachePinStore, CHECK_HEADER } from './pin-store';

export type CodeCheckState = { readonly kind: 'checking' } | CodeCheck;

const SERVICE_WORKER = '/sw.js';

const fromServer: Fetcher = (path, etag) =>
  fetch(path, { cache: 'no-store', headers: { [CHECK_HEADER]: '1', ...(etag !== undefined ? { 'if-none-match': etag } : {}) } });

function supported(): boolean {
  return !import.meta.env.DEV && 'serviceWorker' in navigator && typeof caches !== 'undefined' && globalThis.isSecureContext;
}

export class CodeGate {
  state: CodeCheckState = $state.raw({ kind: 'checking' });
  accepting = $state(false);
  /** Pinning the accepted version threw (storage full, network gone); the notice offers it again. */
  acceptFailed = $state(false);
  readonly #store = new CachePinStore();

  get blocks(): boolean {
    const kind = this.state.kind;
    return kind === 'checking' || kind === 'changed' || kind === 'inconsistent';
  }

  async run(): Promise<void> {
    if (!supported()) {
      this.state = { kind: 'unpinned', reason: 'this browser cannot pin code (no service worker or Cache API)' };
      return;
    }
    let result: CodeCheck;
    try {
      result = await checkServedCode(fromServer, this.#store);
    } catch {
      result = { kind: 'unpinned', reason: 'the code check failed in this browser' };
    }
    if (result.kind !== 'unpinned') void navigator.serviceWorker.register(SERVICE_WORKER, { scope: '/', updateViaCache: 'none' }).catch(() => undefined);
    // Trust on first use: pin in the background, the page does not wait for ~5 MB of files.
    if (result.kind === 'first-visit') void pinServedCode(fromServer, this.#store, result.version).catch(() => undefined);
    this.state = result;
  }

  /** Pins the version the notice shows, then reloads so the service worker serves it. */
  async accept(): Promise<void> {
    if (this.state.kind !== 'changed' || this.accepting) return;
    const { from, to } = this.state;
    this.accepting = true;
    this.acceptFailed = false;
    try {
      const pinned = await pinServedCode(fromServer, this.#store, to);
      if (pinned.ok) {
        location.reload();
        return;
      }
      this.state = { kind: 'inconsistent', from, to: pinned.to, files: pinned.files, reason: pinned.reason };
    } catch {
      this.acceptFailed = true;
    } finally {
      this.accepting = false;
    }
  }
}

export const codeGate = new CodeGate();
