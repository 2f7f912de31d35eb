// [KS1], [KS2], [N5] Knocks a host can check (issue 11, item 3; decision 0015): the real session core of a
// host and its guests against the real server room code (tier.ts), with the server hostile. The
// server (or anyone it works with who has the link) can drop a guest's knock and deliver, from
// that guest's own connection, a knock carrying someone else's keys and the guest's name.
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  Label,
  type SelfKeys,
  Writer,
  createJoinRequest,
  kdf,
  participantIdBytes,
  signRoomKey,
  sodium,
  toBase64Url,
  utf8,
} from '../../crypto/index';
import { type ServerMessage } from '../../protocol/protocol';
import { type Contact } from '../../client/src/lib/e2ee/contacts';
import { cleanName } from '../../client/src/lib/names';
import { type PendingKnock } from '../../client/src/lib/session/host-desk';
import { newSelf } from '../scenario/fixtures';
import { admit, callOf, type Client, Person } from './tier';

type Tier = Awaited<ReturnType<typeof callOf>>['tier'];
type Knock = Extract<ServerMessage, { type: 'knock' }>;

/** A sealed join request an accomplice with the link builds for the connection `from`, with its own keys. */
async function forgedKnock(tier: Tier, host: Person, from: string, name: string, keys: SelfKeys = newSelf()): Promise<string> {
  return toBase64Url(
    await createJoinRequest({
      identity: keys.identity,
      roomKey: keys.roomKey,
      roomId: tier.link.room.roomId,
      participantId: participantIdBytes(from),
      hostRoomPublicKey: host.self.roomKey.publicKey,
      displayName: name,
      joinMacKey: tier.link.room.joinMacKey,
    }),
  );
}

/**
 * The same, with a name no honest encoder writes (a right-to-left override, a zero-width space):
 * the plaintext laid out by hand as crypto/join.ts documents it, with a valid MAC and signature.
 */
async function rawKnock(tier: Tier, host: Person, from: string, name: string): Promise<string> {
  const keys = newSelf();
  const { roomId, joinMacKey } = tier.link.room;
  const nameBytes = utf8(name);
  const macInput = new Writer()
    .u8(1)
    .bytes(roomId)
    .bytes(participantIdBytes(from))
    .bytes(keys.identity.publicKey)
    .bytes(keys.roomKey.publicKey)
    .bytes(await signRoomKey(keys.identity, roomId, keys.roomKey.publicKey))
    .bytes(host.self.roomKey.publicKey)
    .vec16(nameBytes)
    .finish();
  const plaintext = new Writer().bytes(macInput).bytes(kdf(joinMacKey, Label.joinMac, macInput, 32)).finish();
  return toBase64Url(sodium().crypto_box_seal(plaintext, host.self.roomKey.publicKey));
}

/** The server swaps the next knock from `victim` for `payload`, relayed from the victim's own connection. */
function swapKnock(tier: Tier, victim: Client, payload: string): void {
  const honest = tier.interpose;
  tier.interpose = (m, to) => (m.type === 'knock' && m.from === victim.participantId ? [{ ...(m as Knock), payload }] : honest(m, to));
}

function knockOf(host: Person, page: Client): PendingKnock {
  const knock = host.page.secure.host.knocks.find((k) => k.id === page.participantId);
  if (knock === undefined) throw new Error(`the host sees no knock from ${page.name}`);
  return knock;
}

function contact(person: Person, name = person.name): Contact {
  return { identityKey: toBase64Url(person.self.identity.publicKey), name, verifiedAt: 1_700_000_000_000 };
}

/** `person` opens the link and knocks as `name` (what the lobby sends: the typed name, cleaned). */
async function knock(tier: Tier, person: Person, name = person.name): Promise<Client> {
  const page = tier.open(person, 'guest');
  await tier.settle();
  page.secure.knock(name);
  await tier.settle();
  return page;
}

describe('[KS1] knock swap: the server drops Cleo’s knock and relays an accomplice’s from her connection', () => {
  it('honest: the host and Cleo see the same knock code, and no flag', async () => {
    const { tier, host } = await callOf(1);
    const cleo = new Person('Cleo');
    host.page.secure.host.setContacts([contact(cleo)]);
    const page = await knock(tier, cleo);
    const seen = knockOf(host, page);
    expect(seen.code).toMatch(/^\d{3} \d{3}$/);
    expect(seen.code).toBe(page.membership.ownKnockCode);
    expect(seen.flags).toEqual([]);
  });

  it('Cleo known to the host from before: the swapped knock is flagged "known with another key", and its code is not Cleo’s', async () => {
    const { tier, host } = await callOf(1);
    const cleo = new Person('Cleo');
    host.page.secure.host.setContacts([contact(cleo)]);
    let cleoPage: Client | undefined;
    const victim = tier.open(cleo, 'guest');
    cleoPage = victim;
    await tier.settle();
    swapKnock(tier, victim, await forgedKnock(tier, host, victim.participantId, 'Cleo'));
    victim.secure.knock('Cleo');
    await tier.settle();
    const seen = knockOf(host, cleoPage);
    expect(seen.name).toBe('Cleo'); // the swap itself still works: it verifies, from Cleo's connection
    expect(seen.flags).toEqual([{ kind: 'known-key', name: 'Cleo' }]);
    expect(seen.code).not.toBe(cleoPage.membership.ownKnockCode);
    expect(host.page.secure.host.droppedKnocks).toBe(0);
  });

  it('Cleo new to the host: no flag can tell, but the codes differ, so comparing them does', async () => {
    const { tier, host } = await callOf(1);
    const cleo = new Person('Cleo');
    const victim = tier.open(cleo, 'guest');
    await tier.settle();
    swapKnock(tier, victim, await forgedKnock(tier, host, victim.participantId, 'Cleo'));
    victim.secure.knock('Cleo');
    await tier.settle();
    const seen = knockOf(host, victim);
    expect(seen.code).toMatch(/^\d{3} \d{3}$/);
    expect(victim.membership.ownKnockCode).toMatch(/^\d{3} \d{3}$/);
    expect(seen.code).not.toBe(victim.membership.ownKnockCode);
  });

  it('a look-alike name with Cleo’s own identity key but another room key still shows another code', async () => {
    const { tier, host } = await callOf(1);
    const cleo = new Person('Cleo');
    const victim = tier.open(cleo, 'guest');
    await tier.settle();
    // Even an accomplice holding Cleo's identity key cannot make her code without her room key.
    swapKnock(tier, victim, await forgedKnock(tier, host, victim.participantId, 'Cleo', newSelf(cleo.self.identity)));
    victim.secure.knock('Cleo');
    await tier.settle();
    expect(knockOf(host, victim).code).not.toBe(victim.membership.ownKnockCode);
  });
});

/** A host "Host" with Alice and مريم admitted, and a contact "Bob" the host verified earlier. */
async function roomWithAlice() {
  const { tier, host } = await callOf(0);
  const alice = new Person('Alice');
  await admit(tier, host, alice);
  const maryam = new Person('كريم علي');
  await admit(tier, host, maryam);
  expect(host.page.membership.members.map((m) => m.name)).toEqual(['Host', 'Alice', 'كريم علي']);
  return { tier, host };
}

describe('[KS2] look-alike names are flagged in the host’s knock list', () => {
  // What the lobby sends for each spoof (the name rule already cleans what is typed).
  const LOOK_ALIKES: [string, string, string][] = [
    ['a Cyrillic А', '\u0410lice', 'Alice'],
    ['a zero-width space, as the lobby cleans it', 'Ali\u200Bce', 'Alice'],
    ['a capital I for the l', 'AIice', 'Alice'],
    ['the same name in capitals', 'ALICE', 'Alice'],
    ['keheh and Farsi yeh', '\u06A9ر\u06CCم علی', 'كريم علي'],
    ['tatweel between the letters', 'كـريـم علي', 'كريم علي'],
    ['alef maksura for the final yeh', 'كريم عل\u0649', 'كريم علي'],
    ['short vowels added', 'كَرِيم عَلِي', 'كريم علي'],
  ];

  it.each(LOOK_ALIKES)('%s: flagged as looking like the member', async (_what, spoof, member) => {
    const { tier, host } = await roomWithAlice();
    const page = await knock(tier, new Person('Mallory'), cleanName(spoof));
    expect(knockOf(host, page).flags).toEqual([{ kind: 'like-member', name: member }]);
  });

  it('a right-to-left override that renders as "Alice · host" is refused by the name rule: the knock is dropped', async () => {
    const { tier, host } = await roomWithAlice();
    const mallory = new Person('Mallory');
    const page = tier.open(mallory, 'guest');
    await tier.settle();
    const spoof = '\u202Etsoh \u00B7 ecilA';
    await expect(forgedKnock(tier, host, page.participantId, spoof)).rejects.toThrow(CodecError); // no honest encoder writes it
    swapKnock(tier, page, await rawKnock(tier, host, page.participantId, spoof));
    page.secure.knock('Mallory');
    await tier.settle();
    expect(host.page.secure.host.knocks).toEqual([]);
    expect(host.page.secure.host.droppedKnocks).toBe(1);
  });

  it('a raw zero-width space inside the name is refused by the name rule: the knock is dropped', async () => {
    const { tier, host } = await roomWithAlice();
    const page = tier.open(new Person('Mallory'), 'guest');
    await tier.settle();
    swapKnock(tier, page, await rawKnock(tier, host, page.participantId, 'Ali\u200Bce'));
    page.secure.knock('Mallory');
    await tier.settle();
    expect(host.page.secure.host.knocks).toEqual([]);
    expect(host.page.secure.host.droppedKnocks).toBe(1);
  });

  it('two waiting knocks that look alike flag each other; admit-all leaves them for one-by-one admits', async () => {
    const { tier, host } = await roomWithAlice();
    const one = await knock(tier, new Person('Dana'));
    const two = await knock(tier, new Person('Dan\u0430'), 'Dan\u0430'); // Cyrillic а
    const plain = await knock(tier, new Person('Eve'));
    expect(knockOf(host, one).flags).toEqual([{ kind: 'like-knock', name: 'Dan\u0430' }]);
    expect(knockOf(host, two).flags).toEqual([{ kind: 'like-knock', name: 'Dana' }]);
    expect(knockOf(host, plain).flags).toEqual([]);
    await host.page.secure.host.admitUnflagged();
    await tier.settle();
    expect(host.page.secure.host.knocks.map((k) => k.id).sort()).toEqual([one.participantId, two.participantId].sort());
    expect(host.page.membership.members.map((m) => m.name)).toContain('Eve');
  });

  it('a member knocking again with the same identity key (its room key lost) is not flagged', async () => {
    const { tier, host } = await callOf(0);
    const alice = new Person('Alice');
    await admit(tier, host, alice);
    const again = new Person('Alice', newSelf(alice.self.identity));
    const page = await knock(tier, again);
    expect(knockOf(host, page).flags).toEqual([]);
  });

  it('a name unlike any member’s is not flagged', async () => {
    const { tier, host } = await roomWithAlice();
    for (const name of ['Alicia', 'Ali', 'كريم', 'علي كريم']) {
      const page = await knock(tier, new Person(name));
      expect(knockOf(host, page).flags).toEqual([]);
    }
  });
});

describe('[N5] names at the length limit, end to end', () => {
  const letters = (n: number) => 'ب'.repeat(n);

  it('a 48-letter Arabic name knocks, is admitted, and every member reads it whole', async () => {
    const { tier, host, people } = await callOf(1);
    const long = new Person(letters(48));
    const page = await knock(tier, long);
    expect(knockOf(host, page).name).toBe(letters(48));
    await host.page.secure.host.admit([page.participantId]);
    await tier.settle();
    for (const p of [host, people[0]!, long]) expect(p.page.membership.members.map((m) => m.name)).toContain(letters(48));
  });

  it('a hand-made knock with a 49-letter name is refused where it is decoded, and dropped', async () => {
    const { tier, host } = await callOf(1);
    const page = tier.open(new Person('Long'), 'guest');
    await tier.settle();
    swapKnock(tier, page, await rawKnock(tier, host, page.participantId, letters(49)));
    page.secure.knock('Long');
    await tier.settle();
    expect(host.page.secure.host.knocks).toEqual([]);
    expect(host.page.secure.host.droppedLog.at(-1)?.reason).toBe('field-too-long');
  });
});
