// The real client session against the real server room code, in memory (tier.ts), honest and
// hostile. Each test is an attack found on the first version, now refused.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION, type ServerMessage } from '../../protocol/protocol';
import { handleMessage } from '../../server/room-messages';
import { WITHHELD_AFTER_MS } from '../../protocol/limits';
import { admit, callOf, type Client, Person } from './tier';

type Commits = Extract<ServerMessage, { type: 'commits' }>;

const refusals = (people: readonly Person[]) => people.map((p) => p.page.membership.refusals);
const epochs = (people: readonly Person[]) => people.map((p) => p.page.membership.epoch);
const codes = (people: readonly Person[]) => new Set(people.map((p) => p.page.membership.code?.digits));

describe('in memory: the session over the real server room', () => {
  afterEach(() => vi.useRealTimers());

  it('runs an honest call: every member in one epoch with one code, no refusals', async () => {
    const { host, people } = await callOf(3);
    const all = [host, ...people];
    expect(new Set(epochs(all)).size).toBe(1);
    expect(codes(all).size).toBe(1);
    expect(refusals(all)).toEqual([0, 0, 0, 0]);
  });

  it('[S1] a returning host reads a log the server splits in parts, and never forks itself', async () => {
    const { tier, host, people } = await callOf(30);
    // Enough members that the kept commits exceed one 48 KiB message.
    for (let i = 0; i < 12; i++) {
      await host.page.secure.publish(() => host.page.membership.rekey());
      await tier.settle();
    }
    const head = host.page.membership.epoch!;
    const parts: Commits[] = [];
    const watch = tier.interpose;
    tier.interpose = (m, to) => {
      if (m.type === 'commits' && to.name === 'Host') parts.push(m);
      return watch(m, to);
    };
    const late = new Person('Late');
    const latePage = tier.open(late, 'guest');
    await tier.settle();
    latePage.secure.knock('Late');
    await tier.settle();
    const back = tier.open(host, 'resume');
    await tier.settle();
    expect(parts.length).toBeGreaterThan(1); // the server did split it
    expect(back.membership.epoch).toBe(head);
    await back.secure.host.admit([latePage.participantId]);
    await tier.settle();
    expect(back.commitEpochs()).toEqual([head + 1]);
    const all = [host, ...people, late];
    expect(new Set(epochs(all))).toEqual(new Set([head + 1]));
    expect(codes(all).size).toBe(1);
    expect(refusals(all).every((n) => n === 0)).toBe(true);
  });

  it('[S2] a server that answers a returning host with an empty log cannot make it start the room again', async () => {
    const { tier, host } = await callOf(1);
    const head = host.page.membership.epoch!;
    const hiding = tier.interpose;
    tier.interpose = (m, to) => (m.type === 'commits' && to.name === 'Host' ? [{ ...m, commits: [] }] : hiding(m, to));
    const back = tier.open(host, 'resume');
    await back.secure.host.start('Host'); // the returning host presses "join" again
    await tier.settle();
    expect(back.commitEpochs()).toEqual([]); // no second epoch 0
    expect(back.secure.problem).toMatch(/lost or hides the room's log/);
    expect(tier.room.log.lastEpoch).toBe(head); // the server log is as it was
  });

  it('[N1] reloads and a lying log never give one member the same page life', async () => {
    const { tier, host, people } = await callOf(2);
    const ann = people[0]!;
    const empty = tier.interpose;
    // Every other reload: the first answer empty, then the log replayed as live commits.
    let lying = false;
    tier.interpose = (m, to) => {
      if (!lying || to.name !== ann.name || m.type !== 'commits') return empty(m, to);
      lying = false;
      return [{ ...m, commits: [] }, ...m.commits.map((c): ServerMessage => ({ v: m.v, type: 'commit', ...c }))];
    };
    for (let i = 0; i < 6; i++) {
      lying = i % 2 === 0;
      tier.open(ann, 'resume');
      await tier.settle();
    }
    const sends = ann.pages.flatMap((page: Client) => page.media.installs.flatMap((k) => (k.send ? [`${k.send.kid}/${k.send.life}`] : [])));
    expect(sends.length).toBeGreaterThan(0);
    expect(new Set(ann.pages.map((p) => p.life)).size).toBe(ann.pages.length);
    expect(new Set(sends).size).toBe(sends.length);
    expect(ann.page.membership.epoch).toBe(host.page.membership.epoch);
  });

  it('[W1] a remove the server keeps from one member: it stops sending within the bound', async () => {
    vi.useFakeTimers();
    const { tier, host, people } = await callOf(3);
    const [ann, ben, cleo] = people as [Person, Person, Person];
    const epoch = host.page.membership.epoch!;
    const honest = tier.interpose;
    tier.interpose = (m, to) => {
      if (to.name !== ann.name) return honest(m, to);
      if (m.type === 'commit' && m.epoch > epoch) return [];
      if (m.type === 'commits') return [{ ...m, commits: m.commits.filter((c) => c.epoch <= epoch) }];
      return honest(m, to);
    };
    await host.page.secure.host.remove([cleo.page.participantId]);
    await tier.settle();
    expect(ben.page.membership.epoch).toBe(epoch + 1);
    expect(ann.page.membership.epoch).toBe(epoch); // kept behind
    // Ben's media (and his epoch confirmation) are under the new epoch: Ann has evidence.
    ann.page.media.sawFramesOf(epoch + 1);
    await tier.settle();
    expect(ann.page.sent.some((m) => m.type === 'sync')).toBe(true); // resynced at once
    expect(ann.page.media.held).toBe(false);
    vi.advanceTimersByTime(WITHHELD_AFTER_MS);
    await tier.settle();
    expect(ann.page.media.held).toBe(true);
    expect(ann.page.secure.withheld).toBe(epoch + 1);
    // The server relents: the next resync brings it, and Ann sends again.
    tier.interpose = honest;
    ann.page.media.sawFramesOf(epoch + 1);
    vi.advanceTimersByTime(1000);
    ann.page.media.sawFramesOf(epoch + 1);
    await tier.settle();
    expect(ann.page.membership.epoch).toBe(epoch + 1);
    expect(ann.page.media.held).toBe(false);
    expect(ann.page.secure.withheld).toBeUndefined();
  });

  it('[H1] a junk commit far ahead, from whoever holds the host credential, cannot block the genuine next one', async () => {
    const { tier, host, people } = await callOf(2);
    const head = host.page.membership.epoch!;
    const refused = handleMessage(tier.room, host.page.participantId, { v: PROTOCOL_VERSION, type: 'commit', epoch: Number.MAX_SAFE_INTEGER, commit: 'anVuaw', envelopes: {} }, 0);
    expect(refused).toEqual([expect.objectContaining({ kind: 'send', message: expect.objectContaining({ type: 'error', code: 'epoch-gap' }) })]);
    await host.page.secure.publish(() => host.page.membership.rekey());
    await tier.settle();
    expect(tier.room.log.lastEpoch).toBe(head + 1);
    expect(new Set(epochs([host, ...people]))).toEqual(new Set([head + 1]));
  });

  it('admits one more through the same real knock flow after all of that', async () => {
    const { tier, host, people } = await callOf(1);
    const dee = new Person('Dee');
    await admit(tier, host, dee);
    expect(codes([host, ...people, dee]).size).toBe(1);
  });
});
