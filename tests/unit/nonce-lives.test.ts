// [N1] No (KID, CTR) is ever sealed twice by one member, whatever the server sends: the real
// Membership (client/src/lib/session/membership.ts) reads logs a hostile server shapes at
// random (split into random parts, answered empty and then replayed as live commits, parts
// repeated), for several page lives of one member (reloads, and tabs open at once), each claiming
// its life from the same stored record as the room key (page-life.ts), and each page's real
// FrameCryptor seals frames under whatever epoch it ends up holding. The union of every page's
// (KID, CTR) log must have no repeat.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../crypto/index';
import { host } from '../../crypto/index';
import { FrameCryptor } from '../../client/src/worker/frame-cryptor';
import { Membership, type WireCommit } from '../../client/src/lib/session/membership';
import { nextPageLife, type RoomKeyRecord } from '../../client/src/lib/storage/page-life';
import { decodeSFrameHeader } from '../../crypto/index';
import { admitGuests, buildRoom, newGuest, type Party } from '../scenario/fixtures';
import { type LogEntry } from '../scenario/relay';

function wire(entry: LogEntry, to: Party): WireCommit {
  const envelope = entry.envelopes.get(to.pid);
  return { epoch: entry.epoch, commit: toBase64Url(entry.wrapped), ...(envelope ? { envelope: toBase64Url(envelope) } : {}) };
}

/** One way a hostile (or merely chunking) server hands a page the log. */
type Delivery = { kind: 'chunks'; cuts: number[] } | { kind: 'empty-then-live' } | { kind: 'repeat-first'; cuts: number[] };

function feed(page: Membership, log: WireCommit[], delivery: Delivery): void {
  if (delivery.kind === 'empty-then-live') {
    page.applyLog([], true);
    for (const commit of log) page.apply(commit);
    return;
  }
  const cuts = [...new Set(delivery.cuts.map((c) => c % (log.length + 1)))].sort((a, b) => a - b);
  const parts: WireCommit[][] = [];
  let from = 0;
  for (const cut of [...cuts, log.length]) {
    parts.push(log.slice(from, cut));
    from = cut;
  }
  if (delivery.kind === 'repeat-first') parts.splice(1, 0, parts[0]!);
  parts.forEach((part, i) => page.applyLog(part, i === parts.length - 1));
}

const delivery = fc.oneof(
  fc.record({ kind: fc.constant('chunks' as const), cuts: fc.array(fc.nat(), { maxLength: 4 }) }),
  fc.constant({ kind: 'empty-then-live' as const }),
  fc.record({ kind: fc.constant('repeat-first' as const), cuts: fc.array(fc.nat(), { maxLength: 3 }) }),
);

/** A page of the member: it reads the log its way, then sends `frames` frames under the epoch it holds. */
const pageLife = fc.record({ delivery, frames: fc.integer({ min: 1, max: 6 }), logPrefix: fc.nat() });

type PageRun = { delivery: Delivery; frames: number; logPrefix: number };

/**
 * Every page life of one member in turn (`claim` picks each page's life); returns how many frames
 * were sealed and the first (KID, CTR) sealed twice, if any.
 */
async function runLives(lives: readonly PageRun[], extraRekeys: number, claim: (record: RoomKeyRecord | undefined) => RoomKeyRecord) {
  const room = await buildRoom(1);
  const member = room.guests[0]!;
  // More epochs: another guest joins, then the host rekeys a few times.
  await admitGuests(room.link, room.relay, room.host, [member], [newGuest(room.link, 'Late')]);
  for (let i = 0; i < extraRekeys; i++) room.relay.publish(await host.rekey(room.host.state), room.host);
  const log = room.relay.log.map((entry) => wire(entry, member));
  let record: RoomKeyRecord | undefined;
  const seen = new Set<string>();
  let sealed = 0;
  let repeated: string | undefined;
  for (const life of lives) {
    record = claim(record);
    const page = new Membership(room.link.room, member.self, record.lives - 1);
    page.applyLobby(toBase64Url(room.relay.lobby!));
    // A page may have read only part of the log when it sends (a tab opened earlier); the member
    // is in the room from the second entry on.
    feed(page, log.slice(0, 2 + (life.logPrefix % (log.length - 1))), life.delivery);
    const keys = page.epochKeys();
    if (keys === null || keys.send === null) continue;
    const cryptor = new FrameCryptor();
    const entries = [...keys.keys].map(([kid, k]) => ({ kid, ...k }));
    await cryptor.addKeys(entries, { ...entries.find((e) => e.kid === keys.send!.kid)!, life: keys.send.life });
    cryptor.useSendKid(keys.send.kid);
    for (let f = 0; f < life.frames; f++) {
      const header = decodeSFrameHeader((await cryptor.encrypt(new Uint8Array(40).fill(f), 'opus', 'audio/opus'))!);
      const pair = `${header.kid}/${header.ctr}`;
      if (seen.has(pair)) repeated ??= pair;
      seen.add(pair);
      sealed++;
    }
  }
  return { sealed, repeated };
}

const claimed = (record: RoomKeyRecord | undefined) => nextPageLife(record, () => new Uint8Array(64));

describe('[N1] page lives keep SFrame counters apart, whatever the server does to the log', () => {
  it('never repeats a (KID, CTR) across reloads and tabs of one member', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(pageLife, { minLength: 2, maxLength: 5 }), fc.integer({ min: 0, max: 3 }), async (lives, extraRekeys) => {
        const { sealed, repeated } = await runLives(lives, extraRekeys, claimed);
        expect(repeated, `(KID, CTR) ${repeated} sealed twice`).toBeUndefined();
        expect(sealed).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });

  it('control: pages that all reuse one life do repeat, so the check above can fail', async () => {
    const same = () => ({ key: new Uint8Array(64), lives: 1 });
    const run: PageRun = { delivery: { kind: 'chunks', cuts: [1] }, frames: 3, logPrefix: 10 };
    const { repeated } = await runLives([run, { ...run, delivery: { kind: 'empty-then-live' } }], 1, same);
    expect(repeated).toBeDefined();
  });
});

describe('page life claims', () => {
  it('hands out 0, 1, 2, ... from one record and never the same number twice', () => {
    let record: RoomKeyRecord | undefined;
    const lives: number[] = [];
    for (let i = 0; i < 5; i++) {
      record = nextPageLife(record, () => new Uint8Array(64).fill(1));
      lives.push(record.lives - 1);
    }
    expect(lives).toEqual([0, 1, 2, 3, 4]);
  });

  it("treats an older version's bare key as having spent life 0", () => {
    const old = new Uint8Array(64).fill(2);
    const next = nextPageLife(old, () => new Uint8Array(64));
    expect(next.key).toBe(old);
    expect(next.lives - 1).toBe(1);
  });

  it('refuses a damaged record instead of guessing a life', () => {
    expect(() => nextPageLife({ key: 'x', lives: 3 }, () => new Uint8Array(64))).toThrow(/damaged/);
    expect(() => nextPageLife({ key: new Uint8Array(64), lives: 0 }, () => new Uint8Array(64))).toThrow(/damaged/);
  });
});
