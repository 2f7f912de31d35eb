// Commit costs at the room's limit of 50 members: the host building a commit (sign, 50 sealed
// envelopes, wrap, and accepting its own commit) and one member verifying it (unwrap, signature,
// chain checks, envelope open and commitment check). Median and p95 over many runs.
import { performance } from 'node:perf_hooks';
import { host, type InRoomState, lobby, transition, MAX_ROOM_MEMBERS } from '../crypto/index';
import { MAX_LOG_COMMITS } from '../protocol/limits';
import { buildRoom } from '../tests/scenario/fixtures';
import { type BenchSection } from './section';

const RUNS = 200;
const WARMUP = 20;

function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { median: at(0.5), p95: at(0.95) };
}

function time(fn: () => void): number[] {
  for (let i = 0; i < WARMUP; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** The same for an asynchronous operation (host operations sign asynchronously), awaited each run. */
async function timeAsync(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

export async function run(): Promise<BenchSection> {
  const room = await buildRoom(MAX_ROOM_MEMBERS - 1);
  const hostState = room.host.state as InRoomState;
  const member = room.guests[room.guests.length - 1];
  if (member === undefined || member.state.kind !== 'member' || hostState.members.length !== MAX_ROOM_MEMBERS) throw new Error('bench room is not full');

  const build = stats(await timeAsync(() => host.rekey(hostState)));
  const sample = await host.rekey(hostState);
  const envelope = sample.envelopes.get(member.pid);
  const memberState = member.state;
  const verify = stats(
    time(() => {
      const out = transition(memberState, envelope === undefined ? { type: 'commit', wrapped: sample.wrappedCommit } : { type: 'commit', wrapped: sample.wrappedCommit, envelope });
      if (out.error !== undefined) throw out.error;
    }),
  );
  // A joiner or a reloading page: the lobby record, then the commits the server keeps, from nothing.
  for (let i = 0; i < MAX_LOG_COMMITS; i++) room.relay.publish(await host.rekey(room.host.state), room.host);
  const kept = room.relay.log.slice(-MAX_LOG_COMMITS).map((e) => room.relay.messageFor(e, member));
  const record = room.relay.lobby;
  if (record === undefined) throw new Error('bench room has no lobby record');
  const join = stats(
    time(() => {
      const read = transition(lobby(room.link.room, member.self), { type: 'lobby', wrapped: record });
      const out = transition(read.state, { type: 'log', commits: kept });
      if (read.error !== undefined || out.error !== undefined || out.state.kind !== 'member') throw read.error ?? out.error ?? new Error('not admitted');
    }),
  );
  const keptBytes = room.relay.log.slice(-MAX_LOG_COMMITS).reduce((n, e) => n + e.wrapped.length + [...e.envelopes.values()].reduce((m, v) => m + v.length, 0), 0);
  return {
    name: 'commit',
    title: `Host commits with ${MAX_ROOM_MEMBERS} members (${RUNS} runs after ${WARMUP} warm-up)`,
    rows: [
      { operation: `host: build commit (sign + ${MAX_ROOM_MEMBERS} seals + wrap + self-check)`, 'median ms': build.median, 'p95 ms': build.p95, 'target ms': '< 20' },
      { operation: 'member: verify commit + open envelope', 'median ms': verify.median, 'p95 ms': verify.p95, 'target ms': '' },
      { operation: 'wrapped commit size (bytes)', 'median ms': sample.wrappedCommit.length, 'p95 ms': '', 'target ms': '' },
      { operation: `snapshot join: lobby record + the ${MAX_LOG_COMMITS} kept commits, from nothing`, 'median ms': join.median, 'p95 ms': join.p95, 'target ms': '' },
      { operation: `kept commits + envelopes per room (bytes, binary; the server stores base64url)`, 'median ms': keptBytes, 'p95 ms': '', 'target ms': '' },
    ],
    notes: [
      'libsodium-wrappers (WebAssembly) in Node; rekey keeps all 50 members, so no room-key signature is re-verified.',
      'Verification checks the room-key signature only of entries new since the previous commit (admits).',
      'A snapshot join verifies every room-key signature of the first commit it opens (50), then steps through the rest.',
    ],
  };
}
