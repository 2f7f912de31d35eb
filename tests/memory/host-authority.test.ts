// Host hand-over and departures: the real session core against the real server room code, in
// memory (tier.ts). On the first version the transfer commit went out before `transfer-host`: when
// the target's socket dropped in between, the server refused the switch, nobody rolled back, and
// chain and server disagreed on the host for good. And a client believed the close codes 4403 and
// 4410 alone and deleted its room keys, whoever sent them.
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/protocol';
import { callOf, type Person } from './tier';

const epochs = (people: readonly Person[]) => people.map((p) => p.page.membership.epoch);

describe('in memory: hand-over ([H2], [H3])', () => {
  it('[H2] hands the host role over in one step: chain and server name the same host', async () => {
    const { tier, host, people } = await callOf(2);
    const [ann, ben] = people as [Person, Person];
    const head = host.page.membership.epoch!;
    await host.page.secure.host.transfer(ann.page.participantId);
    expect(host.page.membership.epoch).toBe(head); // not applied before the server took it
    await tier.settle();
    expect(tier.room.hostId).toBe(ann.page.participantId);
    expect(tier.room.hostKey).toEqual(ann.hostKey.publicKey);
    expect(ann.page.membership.isHost).toBe(true);
    expect(host.page.membership.isHost).toBe(false);
    expect(new Set(epochs([host, ann, ben]))).toEqual(new Set([head + 1]));
    expect(host.page.secure.host.handingOver).toBe(false);
  });

  it('[H3] a target whose socket dropped before the hand-over arrived: the server refuses both, the host stays host and carries on', async () => {
    const { tier, host, people } = await callOf(2);
    const [ann, ben] = people as [Person, Person];
    const head = host.page.membership.epoch!;
    await host.page.secure.host.transfer(ann.page.participantId);
    tier.drop(ann); // the race: Ann's socket goes between the click and the commit's arrival
    await tier.settle();
    expect(tier.room.log.lastEpoch).toBe(head); // nothing stored
    expect(tier.room.hostId).toBe(host.page.participantId);
    expect(host.page.membership.isHost).toBe(true);
    expect(host.page.membership.epoch).toBe(head); // rolled back: its own commit was never applied
    expect(host.page.secure.problemReason).toBe('hand-over-refused');
    expect(host.page.secure.host.handingOver).toBe(false);
    // Chain and server agree, so the next change goes through for everyone still here.
    await host.page.secure.host.setLocked(true);
    await tier.settle();
    expect(tier.room.log.lastEpoch).toBe(head + 1);
    expect(epochs([host, ben])).toEqual([head + 1, head + 1]);
    expect(host.page.membership.locked).toBe(true);
  });
});

describe('in memory: departures need the signed commit ([D1])', () => {
  it('[D1] a server that closes members with 4410 without an end commit does not end the room for them', async () => {
    const { tier, host, people } = await callOf(2);
    const [ann] = people as [Person, Person];
    const head = host.page.membership.epoch!;
    // The hostile server: close Ann as if the room ended, with no signed end.
    ann.page.closed = CloseCode.roomEnded;
    await tier.settle();
    expect(ann.page.secure.departure()).toBe('server-closed');
    expect(ann.page.membership.state.kind).toBe('member'); // keys kept
    expect(ann.page.membership.epoch).toBe(head);
  });

  it('[D1] a genuine end: the end commit reaches every member before the server closes them', async () => {
    const { tier, host, people } = await callOf(2);
    await host.page.secure.host.end();
    await tier.settle();
    expect(host.page.secure.departure()).toBe('ended'); // the host's own end: it made the commit
    for (const p of people) {
      expect(p.page.closed).toBe(CloseCode.roomEnded);
      expect(p.page.secure.departure()).toBe('ended');
      expect(p.page.membership.state.kind).toBe('ended');
    }
  });

  it('[D1] a genuine removal: the member reads its own signed removal before the 4403', async () => {
    const { tier, host, people } = await callOf(2);
    const [ann, ben] = people as [Person, Person];
    await host.page.secure.host.remove([ann.page.participantId]);
    await tier.settle();
    expect(ann.page.closed).toBe(CloseCode.removed);
    expect(ann.page.secure.departure()).toBe('removed');
    expect(ben.page.secure.departure()).toBe('server-closed'); // Ben is not gone at all
    expect(ben.page.membership.state.kind).toBe('member');
  });

  it('[D1] a removal the server kept from the member: 4403 alone, keys kept; its tombstoned return brings the signed removal', async () => {
    const { tier, host, people } = await callOf(2);
    const [ann] = people as [Person, Person];
    const head = host.page.membership.epoch!;
    const honest = tier.interpose;
    tier.interpose = (m, to) => (to.name === ann.name && (m.type === 'commit' || m.type === 'commits') ? [] : honest(m, to));
    await host.page.secure.host.remove([ann.page.participantId]);
    await tier.settle();
    expect(ann.page.closed).toBe(CloseCode.removed);
    expect(ann.page.secure.departure()).toBe('server-closed');
    expect(ann.page.membership.epoch).toBe(head);
    // Later, the same resume credential: the server remembers it, and sends the commits up to the
    // removal before its 4403 (server/room.ts revocationProof).
    const back = tier.room.authenticate(ann.page.resumeToken);
    if (back?.kind !== 'revoked') throw new Error('the resume token is not tombstoned');
    expect(back.code).toBe(CloseCode.removed);
    const proof = tier.room.revocationProof(back);
    // A hostile server that strips the proof: still only "disconnected", keys kept.
    ann.page.secure.readRevocation([]);
    expect(ann.page.secure.departure()).toBe('server-closed');
    expect(ann.page.membership.state.kind).toBe('member');
    // The honest proof: the page reads its own signed removal.
    for (const m of proof) if (m.type === 'commits') ann.page.secure.readRevocation(m.commits);
    expect(ann.page.secure.departure()).toBe('removed');
  });
});
