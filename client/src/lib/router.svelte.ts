// A tiny router on location.pathname: `/` is home, `/r/<roomId>` a room, anything else not found.
// Navigation uses the History API; the URL fragment is left for link.ts to take. A new fragment
// typed or pasted into the same page (a same-document navigation) counts as a new visit, so the
// room page starts over with the new link.
import { RoomId } from '../../../protocol/protocol';

export type Route = { readonly name: 'home' } | { readonly name: 'room'; readonly roomId: string } | { readonly name: 'not-found' };

function match(pathname: string): Route {
  if (pathname === '/' || pathname === '/index.html') return { name: 'home' };
  const room = /^\/r\/([^/]+)\/?$/.exec(pathname);
  if (room?.[1] !== undefined && RoomId.safeParse(room[1]).success) return { name: 'room', roomId: room[1] };
  return { name: 'not-found' };
}

class Router {
  path = $state(location.pathname);
  /** Bumped on every navigation, including one that only changes the fragment. */
  visit = $state(0);
  readonly route = $derived(match(this.path));

  constructor() {
    addEventListener('popstate', () => this.#arrived());
    addEventListener('hashchange', () => {
      if (location.hash.length > 1) this.#arrived();
    });
  }

  navigate(url: string): void {
    history.pushState(null, '', url);
    this.#arrived();
  }

  #arrived(): void {
    this.path = location.pathname;
    this.visit++;
  }
}

export const router = new Router();
