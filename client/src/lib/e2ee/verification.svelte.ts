// What this profile knows to check the people in a call: its own identity key, its verified
// contacts (storage/contacts-store.ts), each member's status against them (contacts.ts), and the
// pairwise safety number with each member, in digits and as a QR drawing (safety-qr.ts).
import { toBase64Url } from '../../../../crypto/bytes';
import { safetyNumber, safetyNumberBytes } from '../../../../crypto/safety';
import { forgetContact, loadContacts, saveContact } from '../storage/contacts-store';
import { loadIdentity } from '../storage/identity-store';
import { type Contact, contactStatus, type ContactStatus } from './contacts';
import { type MemberView } from '../session/membership';
import { type QrDrawing, safetyQr } from './safety-qr';

export interface SafetyView {
  /** 60 digits in 12 groups of 5. */
  readonly digits: string;
  readonly qr: QrDrawing;
}

export class Verification {
  contacts = $state.raw<readonly Contact[]>([]);
  /** This profile's identity key, once read. */
  ownKey = $state.raw<Uint8Array | undefined>(undefined);
  /** Set when the contacts could not be read or written. */
  problem = $state<string | undefined>(undefined);

  /** Safety numbers already computed (each is 2 x 5200 SHA-512), by the other key. */
  readonly #safety = new Map<string, SafetyView>();

  async load(): Promise<void> {
    try {
      const [identity, contacts] = await Promise.all([loadIdentity(), loadContacts()]);
      this.ownKey = identity.publicKey;
      this.contacts = contacts;
    } catch {
      this.problem = "Verified contacts could not be read from this browser's storage.";
    }
  }

  statusOf(member: MemberView): ContactStatus {
    return contactStatus({ name: member.name, identityKey: toBase64Url(member.identityPublicKey) }, this.contacts);
  }

  /** Other members who carry a verified contact's name but not that contact's key. */
  keyChanged(members: readonly MemberView[]): MemberView[] {
    return members.filter((m) => !m.isSelf && this.statusOf(m).kind === 'key-changed');
  }

  /** The safety number with `member`, or undefined until this profile's key is read. */
  safetyWith(member: MemberView): SafetyView | undefined {
    const own = this.ownKey;
    if (own === undefined) return undefined;
    const key = toBase64Url(member.identityPublicKey);
    let view = this.#safety.get(key);
    if (view === undefined) {
      view = { digits: safetyNumber(own, member.identityPublicKey), qr: safetyQr(safetyNumberBytes(own, member.identityPublicKey)) };
      this.#safety.set(key, view);
    }
    return view;
  }

  async markVerified(member: MemberView): Promise<void> {
    const contact: Contact = { identityKey: toBase64Url(member.identityPublicKey), name: member.name, verifiedAt: Date.now() };
    try {
      await saveContact(contact);
      this.contacts = [...this.contacts.filter((c) => c.identityKey !== contact.identityKey), contact];
    } catch {
      this.problem = `${member.name} could not be saved as verified in this browser's storage.`;
    }
  }

  async unverify(member: MemberView): Promise<void> {
    const identityKey = toBase64Url(member.identityPublicKey);
    try {
      await forgetContact(identityKey);
      this.contacts = this.contacts.filter((c) => c.identityKey !== identityKey);
    } catch {
      this.problem = `${member.name} could not be removed from this browser's verified contacts.`;
    }
  }
}
