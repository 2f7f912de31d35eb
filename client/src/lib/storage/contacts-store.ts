// Verified contacts of this browser profile (store "contacts", keyed by the base64url identity
// key): the name each was verified under and when. Only this profile reads them; records that do
// not parse are skipped.
import { type Contact, parseContact } from '../e2ee/contacts';
import { deleteKey, getAllValues, putValue, Store, withDb } from './idb';

export async function loadContacts(): Promise<Contact[]> {
  const values = await withDb((db) => getAllValues(db, Store.contacts));
  return values.map(parseContact).filter((c) => c !== undefined);
}

export function saveContact(contact: Contact): Promise<void> {
  return withDb((db) => putValue(db, Store.contacts, contact.identityKey, { ...contact }));
}

export function forgetContact(identityKey: string): Promise<void> {
  return withDb((db) => deleteKey(db, Store.contacts, identityKey));
}
