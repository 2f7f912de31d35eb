// Display names as people type them and as they are shown: crypto/'s one canonical form (the same
// rule every join request and commit is decoded with), never empty.
import { canonicalName, MAX_NAME_CHARS } from '../../../crypto/index';

export const MAX_NAME_LENGTH = MAX_NAME_CHARS;
const FALLBACK_NAME = 'Guest';

export function cleanName(raw: string): string {
  const name = canonicalName(raw);
  return name.length > 0 ? name : FALLBACK_NAME;
}

/** Up to two initials for an avatar. */
export function initials(name: string): string {
  const parts = name.split(' ').filter((p) => p.length > 0);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : [parts[0]];
  return letters.map((p) => [...(p ?? '')][0] ?? '').join('').toUpperCase() || '?';
}
