// Verified contacts: identity keys this profile compared safety numbers with, and what a member of
// a call is in their light. A member is `verified` when its identity key is a contact's; it is
// `key-changed` when its name is a contact's but its key is not (a returning contact on a new
// device, or someone using their name: either way the safety number must be compared again).
// Names are compared by what they look like (names.ts nameSkeletons: TR39 and Arabic/Persian
// folding), so "Аlice" with a Cyrillic А or "کریم" with keheh and Farsi yeh count as the contact.
import { looksAlike } from '../names';

/** Stored per identity key (storage/contacts-store.ts). */
export interface Contact {
  /** base64url of the Ed25519 identity key. */
  readonly identityKey: string;
  /** The name the person had when this profile verified them. */
  readonly name: string;
  /** When, in milliseconds since 1970. */
  readonly verifiedAt: number;
}

export type ContactStatus =
  | { readonly kind: 'verified'; readonly contact: Contact }
  | { readonly kind: 'key-changed'; readonly contact: Contact }
  | { readonly kind: 'unverified' };

export interface ContactCandidate {
  readonly name: string;
  /** base64url of the Ed25519 identity key. */
  readonly identityKey: string;
}

export function contactStatus(member: ContactCandidate, contacts: readonly Contact[]): ContactStatus {
  const byKey = contacts.find((c) => c.identityKey === member.identityKey);
  if (byKey !== undefined) return { kind: 'verified', contact: byKey };
  const byName = contacts.find((c) => sameName(c.name, member.name));
  return byName !== undefined ? { kind: 'key-changed', contact: byName } : { kind: 'unverified' };
}

/** Names compared as people read them: hidden characters dropped, look-alike letters folded, any case. */
export function sameName(a: string, b: string): boolean {
  return looksAlike(a, b);
}

const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;

/** A stored record read back, or undefined if it is not one this version wrote. */
export function parseContact(value: unknown): Contact | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { identityKey, name, verifiedAt } = value as Record<string, unknown>;
  if (typeof identityKey !== 'string' || !KEY_TEXT.test(identityKey)) return undefined;
  if (typeof name !== 'string' || name.length === 0) return undefined;
  if (typeof verifiedAt !== 'number' || !Number.isFinite(verifiedAt)) return undefined;
  return { identityKey, name, verifiedAt };
}
