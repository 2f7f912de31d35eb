// The headless protocol driver (tests/driver) against the real server over real sockets: real
// join requests, batched admits, removal and leave commits, and the SFrame base keys each member
// derives. Proves the driver and the server together before benches and security tests rely on it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { utf8, chainHead, Reason, generateIdentity, fingerprint, callCode, CipherSuite, sframeDecrypt, sframeEncrypt, kidFor } from '../../crypto/index';
import { CloseCode } from '../../protocol/protocol';
import { ProtocolMember } from '../driver/driver';
import { accessCredential } from '../driver/room-api';
import { closeAllClients, startTestServer, TestClient, type TestServer } from './helpers';

const suite = CipherSuite.AES_128_GCM_SHA256_128;
let t: TestServer;
const live: ProtocolMember[] = [];

beforeAll(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  // The host first, so the guests' closes do not make it commit leaves while the test tears down.
  for (const m of live.splice(0)) await m.close();
  await closeAllClients();
});
afterAll(() => t.close());

async function newHost(autoAdmit = false): Promise<ProtocolMember> {
  const host = await ProtocolMember.createRoomAsHost(t.origin, 'Host', { autoAdmit });
  live.push(host);
  return host;
}

async function newGuests(host: ProtocolMember, names: readonly string[]): Promise<ProtocolMember[]> {
  const guests = await Promise.all(names.map((name) => ProtocolMember.joinAsGuest(t.origin, host.roomId, host.fragment, name)));
  live.push(...guests);
  return guests;
}

/** Guests join, knock, and the host admits all of them in one commit; resolves once all hold it. */
async function admitted(host: ProtocolMember, names: readonly string[]): Promise<ProtocolMember[]> {
  const guests = await newGuests(host, names);
  await Promise.all(guests.map((g) => g.knock()));
  await host.waitForKnocks(guests.length);
  const epoch = await host.admit(guests.map((g) => g.participantId));
  await Promise.all(guests.map((g) => g.waitForEpoch(epoch)));
  return guests;
}

const codeOf = (m: ProtocolMember) => {
  const head = chainHead(m.state);
  if (head === null) throw new Error(`${m.name} holds no chain`);
  return callCode(head.commitHash);
};
const idsOf = (m: ProtocolMember) => m.members.map((x) => x.participantId);

function keysOf(m: ProtocolMember, epoch: number): Map<bigint, Uint8Array> {
  const keys = m.keptKeys.get(epoch);
  if (keys === undefined) throw new Error(`${m.name} never held epoch ${epoch}`);
  return keys;
}

/** A frame `sender` seals with its own base key of `epoch`. */
async function frameFrom(sender: ProtocolMember, epoch: number): Promise<Uint8Array> {
  const index = sender.members.find((m) => m.participantId === sender.participantId)?.index as number;
  const kid = kidFor(epoch, index);
  return sframeEncrypt({ suite, baseKey: keysOf(sender, epoch).get(kid) as Uint8Array, kid, ctr: 1n, metadata: new Uint8Array(0), plaintext: utf8(`frame from ${sender.name}`) });
}

/** How many of `keys` open `frame`. */
async function opensWith(keys: Iterable<Uint8Array>, frame: Uint8Array): Promise<number> {
  let opened = 0;
  for (const baseKey of keys) {
    try {
      await sframeDecrypt({ suite, baseKey, metadata: new Uint8Array(0), ciphertext: frame });
      opened++;
    } catch {
      // refused: a key of another epoch or sender
    }
  }
  return opened;
}

function expectClean(members: readonly ProtocolMember[]): void {
  for (const m of members) {
    expect(m.refusals, `${m.name} refused commits`).toEqual([]);
    expect(m.serverErrors, `${m.name} got server errors`).toEqual([]);
  }
}

describe('driver: admission', () => {
  it('admits three knocking guests in one commit: one epoch, one call code, the same base keys', async () => {
    const host = await newHost();
    expect(host.epoch).toBe(0);
    const guests = await newGuests(host, ['Ann', 'Bob', 'Cleo']);
    await Promise.all(guests.map((g) => g.knock()));
    await host.waitForKnocks(3);
    expect(await host.admit(guests.map((g) => g.participantId))).toBe(1);
    await Promise.all(guests.map((g) => g.waitForEpoch(1)));

    const everyone = [host, ...guests];
    for (const g of guests) {
      expect(g.epoch).toBe(1);
      expect([...g.keptKeys.keys()]).toEqual([1]); // one commit brought them in, nothing before it
      expect(g.role).toBe('member');
    }
    expect([...host.keptKeys.keys()]).toEqual([0, 1]);
    expect(host.pendingKnocks.size).toBe(0);
    expect(host.droppedKnocks).toEqual([]);

    const ids = idsOf(host);
    expect(ids).toHaveLength(4);
    expect(new Set(ids)).toEqual(new Set(everyone.map((m) => m.participantId)));
    expect(host.members.map((m) => m.displayName)).toEqual(['Host', 'Ann', 'Bob', 'Cleo']);
    for (const g of guests) expect(idsOf(g)).toEqual(ids);

    const code = codeOf(host);
    for (const g of guests) expect(codeOf(g)).toEqual(code);

    const hostKeys = keysOf(host, 1);
    expect([...hostKeys.keys()].sort()).toEqual([0, 1, 2, 3].map((i) => kidFor(1, i)).sort());
    for (const g of guests) expect(keysOf(g, 1)).toEqual(hostKeys);
    const frame = await frameFrom(guests[0] as ProtocolMember, 1);
    for (const m of everyone) expect(await opensWith(keysOf(m, 1).values(), frame)).toBe(1);
    expectClean(everyone);
  });

  it('admits on its own with autoAdmit', async () => {
    const host = await newHost(true);
    const guests = await newGuests(host, ['Ann', 'Bob']);
    await Promise.all(guests.map((g) => g.knock()));
    await Promise.all(guests.map((g) => g.waitFor(() => g.state.kind === 'member', 'admission')));
    await host.waitFor(() => host.members.length === 3 && guests.every((g) => g.epoch === host.epoch), 'everyone on one epoch');
    expect(host.pendingKnocks.size).toBe(0);
    expect(host.failedAutoAdmits).toEqual([]);
    expectClean([host, ...guests]);
  });

  it('gives a late joiner only the keys of its admit epoch and later', async () => {
    const host = await newHost();
    const [ann] = (await admitted(host, ['Ann'])) as [ProtocolMember];
    const early = await frameFrom(ann, 1);
    const [dan] = (await admitted(host, ['Dan'])) as [ProtocolMember];
    expect([...dan.keptKeys.keys()]).toEqual([2]);
    await ann.waitForEpoch(2);
    expect(await opensWith(keysOf(dan, 2).values(), early)).toBe(0);
    expect(await opensWith(keysOf(dan, 2).values(), await frameFrom(ann, 2))).toBe(1);
    for (const old of [...keysOf(host, 0).values(), ...keysOf(host, 1).values()]) {
      for (const key of keysOf(dan, 2).values()) expect(key).not.toEqual(old);
    }
    expectClean([host, ann, dan]);
  });
});

describe('driver: removal and leave', () => {
  it('removes a member: the rest rekey, the removed one is closed and its kept keys open nothing new', async () => {
    const host = await newHost();
    const [ann, bob, cleo] = (await admitted(host, ['Ann', 'Bob', 'Cleo'])) as [ProtocolMember, ProtocolMember, ProtocolMember];
    expect(await host.remove([cleo.participantId])).toBe(2);
    await Promise.all([ann.waitForEpoch(2), bob.waitForEpoch(2)]);
    expect(await cleo.waitForClose()).toBe(CloseCode.removed);
    // [D1] The signed removal reached Cleo before the server closed her socket.
    expect(cleo.state.kind).toBe('removed');
    expect(cleo.session.departure()).toBe('removed');
    expect([...cleo.keptKeys.keys()]).toEqual([1]);

    for (const m of [host, ann, bob]) {
      expect(m.epoch).toBe(2);
      expect(idsOf(m)).not.toContain(cleo.participantId);
      expect(idsOf(m)).toHaveLength(3);
      expect(codeOf(m)).toEqual(codeOf(host));
      expect(keysOf(m, 2)).toEqual(keysOf(host, 2));
    }
    const fresh = [...keysOf(host, 2).values()];
    const kept = [...cleo.keptKeys.values()].flatMap((keys) => [...keys.values()]);
    expect(kept.length).toBeGreaterThan(0);
    for (const old of kept) for (const key of fresh) expect(old).not.toEqual(key);
    const frame = await frameFrom(ann, 2);
    expect(await opensWith(keysOf(bob, 2).values(), frame)).toBe(1);
    expect(await opensWith(kept, frame)).toBe(0);
    expectClean([host, ann, bob, cleo]);
  });

  it('commits a leave when a member closes with 1000', async () => {
    const host = await newHost();
    const [ann, bob] = (await admitted(host, ['Ann', 'Bob'])) as [ProtocolMember, ProtocolMember];
    await bob.leave();
    expect(bob.closeCode).toBe(CloseCode.normal);
    await Promise.all([host.waitForEpoch(2), ann.waitForEpoch(2)]);
    expect(chainHead(host.state)?.action).toBe('leave');
    expect(idsOf(host)).toEqual([host.participantId, ann.participantId]);
    expect(idsOf(ann)).toEqual(idsOf(host));
    expect(codeOf(ann)).toEqual(codeOf(host));
    expect(keysOf(ann, 2)).toEqual(keysOf(host, 2));
    expect(bob.epoch).toBe(1);
    expectClean([host, ann]);
  });
});

describe('driver: refusals', () => {
  it('drops and counts a knock that does not open, and keeps nothing from it', async () => {
    const host = await newHost();
    const raw = await TestClient.connect(t.base, host.roomId, accessCredential(host.fragment));
    const { participantId } = await raw.next('welcome');
    raw.send({ v: 1, type: 'knock', payload: 'c2VhbGVk' });
    await host.waitFor(() => host.droppedKnocks.length === 1, 'a dropped knock');
    expect(host.droppedKnocks).toEqual([{ from: participantId, reason: Reason.authFailed }]);
    expect(host.pendingKnocks.size).toBe(0);
  });

  it('refuses the log when the link names another host, and so cannot knock', async () => {
    const host = await newHost();
    const wrongLink = { linkSecret: host.fragment.linkSecret, hostFingerprint: fingerprint(generateIdentity().publicKey) };
    const guest = await ProtocolMember.joinAsGuest(t.origin, host.roomId, wrongLink, 'Mallory');
    live.push(guest);
    expect(guest.refusals.map((r) => r.reason)).toEqual([Reason.hostMismatch]);
    expect(guest.state.kind).toBe('lobby');
    await expect(guest.knock(300)).rejects.toMatchObject({ kind: 'timeout' });
  });
});
