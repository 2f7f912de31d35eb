import { describe, expect, it } from 'vitest';
import { type Contact, contactStatus, parseContact, sameName } from '../../client/src/lib/e2ee/contacts';

const KEY_A = 'A'.repeat(43);
const KEY_B = 'B'.repeat(43);
const KEY_C = 'C'.repeat(43);
const bob: Contact = { identityKey: KEY_A, name: 'Bob', verifiedAt: 1_700_000_000_000 };
const carol: Contact = { identityKey: KEY_C, name: 'Carol', verifiedAt: 1_700_000_100_000 };

describe('verified contacts', () => {
  it('calls a member verified when its identity key is a contact, whatever name it uses now', () => {
    expect(contactStatus({ name: 'Bob', identityKey: KEY_A }, [carol, bob])).toEqual({ kind: 'verified', contact: bob });
    expect(contactStatus({ name: 'Robert', identityKey: KEY_A }, [bob])).toEqual({ kind: 'verified', contact: bob });
  });

  it("flags a member with a contact's name but another key as key-changed", () => {
    expect(contactStatus({ name: 'Bob', identityKey: KEY_B }, [carol, bob])).toEqual({ kind: 'key-changed', contact: bob });
    expect(contactStatus({ name: '  bOB ', identityKey: KEY_B }, [bob])).toEqual({ kind: 'key-changed', contact: bob });
  });

  it('prefers a matching key over a matching name when two contacts share a name', () => {
    const newBob: Contact = { identityKey: KEY_B, name: 'Bob', verifiedAt: 1_800_000_000_000 };
    expect(contactStatus({ name: 'Bob', identityKey: KEY_B }, [bob, newBob])).toEqual({ kind: 'verified', contact: newBob });
  });

  it('leaves strangers unverified', () => {
    expect(contactStatus({ name: 'Dan', identityKey: KEY_B }, [bob, carol])).toEqual({ kind: 'unverified' });
    expect(contactStatus({ name: 'Bob', identityKey: KEY_B }, [])).toEqual({ kind: 'unverified' });
  });

  it('compares names as people read them', () => {
    expect(sameName('Ann  Lee', ' ann lee')).toBe(true);
    expect(sameName('Ａｎｎ', 'Ann')).toBe(true); // full-width letters fold (NFKC)
    expect(sameName('Ann', 'Anne')).toBe(false);
  });

  it('reads back only records it wrote', () => {
    expect(parseContact({ ...bob })).toEqual(bob);
    expect(parseContact({ ...bob, identityKey: 'short' })).toBeUndefined();
    expect(parseContact({ ...bob, name: '' })).toBeUndefined();
    expect(parseContact({ ...bob, verifiedAt: 'yesterday' })).toBeUndefined();
    expect(parseContact(null)).toBeUndefined();
  });
});
