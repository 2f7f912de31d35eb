// Display names as people type them and as they are shown: trimmed, control characters removed,
// at most MAX_NAME_LENGTH characters, never empty.
export const MAX_NAME_LENGTH = 48;
const FALLBACK_NAME = 'Guest';

export function cleanName(raw: string): string {
  const name = [...raw.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '').replace(/\s+/g, ' ').trim()].slice(0, MAX_NAME_LENGTH).join('').trim();
  return name.length > 0 ? name : FALLBACK_NAME;
}

/** Up to two initials for an avatar. */
export function initials(name: string): string {
  const parts = name.split(' ').filter((p) => p.length > 0);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : [parts[0]];
  return letters.map((p) => [...(p ?? '')][0] ?? '').join('').toUpperCase() || '?';
}
