// Admit and rekey latency over real sockets: a real signaling server on 127.0.0.1 and N headless
// members (tests/driver) running the real crypto/. For each room size N the host first admits
// N-1 guests in one batch; then, each round, it removes one member (rekey latency: from the
// host calling remove to EVERY remaining member having applied the new epoch and derived its
// SFrame base keys) and admits a fresh guest (admit latency: from the host calling admit to
// every member, the newcomer included, holding the new epoch's keys). Both clocks start before
// the host builds its commit, so they include it.
import { setTimeout as sleep } from 'node:timers/promises';
import { WS_MESSAGES_PER_SECOND } from '../protocol/limits';
import { ProtocolMember } from '../tests/driver/driver';
import { startTestServer } from '../tests/server/helpers';
import { type BenchSection, type Cell } from './section';

const SIZES = [2, 5, 10, 50] as const;
const ROUNDS = 20;
const WARMUP_ROUNDS = 2;
const TARGET_MEMBERS = 50;
const TARGET_MS = 1000;
const WAIT_MS = 15_000;
/**
 * A round costs the host 4 messages (remove + commit, admit + commit). The server allows each
 * socket WS_MESSAGES_PER_SECOND on average and drops the rest with `rate-limited`, so rounds are
 * paced, outside the measured windows, to stay within that budget.
 */
const ROUND_MIN_MS = (4 * 1000) / WS_MESSAGES_PER_SECOND;

interface Summary {
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

/** Median, nearest-rank p95, and max. */
function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (i: number): number => sorted[Math.max(0, Math.min(sorted.length - 1, i))] as number;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  return { median, p95: at(Math.ceil(0.95 * sorted.length) - 1), max: at(sorted.length - 1) };
}

/** Guests that have joined, read the log and knocked, with their knocks verified by the host. */
async function knocking(host: ProtocolMember, count: number, firstNumber: number): Promise<ProtocolMember[]> {
  const before = host.pendingKnocks.size;
  const guests = await Promise.all(
    Array.from({ length: count }, (_, i) => ProtocolMember.joinAsGuest(host.origin, host.roomId, host.fragment, `Guest ${firstNumber + i}`, { timeoutMs: WAIT_MS })),
  );
  await Promise.all(guests.map((g) => g.knock()));
  await host.waitForKnocks(before + count);
  return guests;
}

/** Run a host command that commits a new epoch; ms until every one of `holders` has derived its keys. */
async function timeEpoch(holders: readonly ProtocolMember[], command: () => Promise<number>): Promise<number> {
  const start = performance.now();
  const epoch = await command();
  await Promise.all(holders.map((m) => m.waitForEpoch(epoch)));
  return Math.max(...holders.map((m) => (m.epochAppliedAt.get(epoch) as number) - start));
}

interface SizeResult {
  readonly batchAdmit: number;
  readonly admit: number[];
  readonly rekey: number[];
}

async function measure(origin: string, size: number): Promise<SizeResult> {
  const host = await ProtocolMember.createRoomAsHost(origin, 'Host', { timeoutMs: WAIT_MS });
  const everyone: ProtocolMember[] = [host];
  try {
    const first = await knocking(host, size - 1, 1);
    everyone.push(...first);
    const inRoom = [...first];
    const batchAdmit = await timeEpoch([host, ...inRoom], () => host.admit(first.map((g) => g.participantId)));
    const admit: number[] = [];
    const rekey: number[] = [];
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      const roundStart = performance.now();
      const counted = round >= WARMUP_ROUNDS;
      const removed = inRoom.shift() as ProtocolMember;
      const rekeyMs = await timeEpoch([host, ...inRoom], () => host.remove([removed.participantId]));
      await removed.waitForClose();
      const [fresh] = (await knocking(host, 1, size + round)) as [ProtocolMember];
      everyone.push(fresh);
      inRoom.push(fresh);
      const admitMs = await timeEpoch([host, ...inRoom], () => host.admit([fresh.participantId]));
      if (counted) {
        rekey.push(rekeyMs);
        admit.push(admitMs);
      }
      await sleep(Math.max(0, ROUND_MIN_MS - (performance.now() - roundStart)));
    }
    const problems = everyone.flatMap((m) => [...m.refusals.map((r) => `${m.name} refused a commit: ${r.reason}`), ...m.serverErrors.map((e) => `${m.name} got ${e.code}: ${e.message}`)]);
    if (problems.length > 0) throw new Error(`the bench room did not run cleanly: ${problems.join('; ')}`);
    return { batchAdmit, admit, rekey };
  } finally {
    for (const m of everyone) await m.close(); // the host first: no `leave` commits while tearing down
  }
}

function row(size: number, measurement: string, samples: readonly number[], target: Cell): Record<string, Cell> {
  const s = summarize(samples);
  return { members: size, measurement, samples: samples.length, 'median ms': s.median, 'p95 ms': s.p95, 'max ms': s.max, target };
}

export async function run(): Promise<BenchSection> {
  // The server refuses `admit` without LiveKit settings; the test server points them at an unused
  // loopback port, so grants are minted locally and SFU admin calls fail fast on 127.0.0.1.
  const server = await startTestServer();
  const rows: Record<string, Cell>[] = [];
  let targetMax = Number.NaN;
  try {
    for (const size of SIZES) {
      const result = await measure(server.origin, size);
      const atTarget = size === TARGET_MEMBERS;
      if (atTarget) targetMax = summarize(result.rekey).max;
      rows.push(row(size, `admit batch (${size - 1} guest${size === 2 ? '' : 's'})`, [result.batchAdmit], ''));
      rows.push(row(size, 'admit 1 guest', result.admit, ''));
      rows.push(row(size, 'rekey (remove 1)', result.rekey, atTarget ? `< ${TARGET_MS}` : ''));
    }
  } finally {
    await server.close();
  }
  const verdict = targetMax < TARGET_MS ? 'met' : 'NOT met';
  return {
    name: 'rekey',
    title: `Admit and rekey latency over real WebSockets (${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up per size)`,
    rows,
    notes: [
      `Target: rekey within ${TARGET_MS} ms at ${TARGET_MEMBERS} members: ${verdict} (max ${targetMax.toFixed(1)} ms).`,
      'Clock: from the host calling admit/remove (commit build included) to the last member deriving the epoch\'s base keys.',
      'One process: the server and all N members share one Node event loop, so members verify one after another;',
      'on real devices they verify in parallel, so these figures are an upper bound for the same machine.',
      'Server on 127.0.0.1 with LiveKit settings pointing at an unused loopback port (no SFU runs).',
    ],
  };
}
