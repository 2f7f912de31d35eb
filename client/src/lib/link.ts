// The room link's fragment (#<linkSecret>.<hostFingerprint>): read from the address bar once,
// then removed from it at once with history.replaceState, so it does not linger in the visible URL,
// screenshots or the history entry. It is kept in memory and in this tab's sessionStorage (keyed
// by room id) so a reload of the same tab still works. It is never sent anywhere.
import { formatFragment, parseFragment, type LinkFragment } from '../../../crypto/index';

export type LinkResult =
  | { readonly kind: 'ok'; readonly fragment: LinkFragment }
  | { readonly kind: 'damaged' }
  | { readonly kind: 'missing' };

const STORAGE_PREFIX = 'sealroom.link.';
const remembered = new Map<string, LinkFragment>();

/**
 * The fragment for `roomId`: taken from the address bar if one is there (and then removed from
 * it), else the one remembered by this tab. A damaged fragment in the address bar wins over a
 * remembered one: the person opened a new link, and it is broken.
 */
export function takeLink(roomId: string): LinkResult {
  const hash = location.hash;
  if (hash.length > 1) {
    history.replaceState(history.state, '', location.pathname + location.search);
    let fragment: LinkFragment;
    try {
      fragment = parseFragment(hash);
    } catch {
      return { kind: 'damaged' };
    }
    remember(roomId, fragment);
    return { kind: 'ok', fragment };
  }
  const known = remembered.get(roomId) ?? restore(roomId);
  return known ? { kind: 'ok', fragment: known } : { kind: 'missing' };
}

function remember(roomId: string, fragment: LinkFragment): void {
  remembered.set(roomId, fragment);
  try {
    sessionStorage.setItem(STORAGE_PREFIX + roomId, formatFragment(fragment));
  } catch {
    // Storage may be unavailable (private mode quotas); memory still holds it for this page.
  }
}

/** The full shareable link, fragment included. Built locally; never sent. */
export function shareableLink(roomId: string, fragment: LinkFragment): string {
  return `${location.origin}/r/${roomId}#${formatFragment(fragment)}`;
}

function restore(roomId: string): LinkFragment | undefined {
  let text: string | null = null;
  try {
    text = sessionStorage.getItem(STORAGE_PREFIX + roomId);
  } catch {
    return undefined;
  }
  if (text === null) return undefined;
  try {
    const fragment = parseFragment(text);
    remembered.set(roomId, fragment);
    return fragment;
  } catch {
    sessionStorage.removeItem(STORAGE_PREFIX + roomId);
    return undefined;
  }
}
