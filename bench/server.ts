// What a room costs the signaling server, for the memory budget of decision 0017: heap per idle
// room (Rooms.create, pure), heap per lobby participant (Room.connect, pure), heap per commit kept,
// and what the default budget (MAX_ROOMS, MAX_STORED_BYTES) lets a server hold. Heap deltas are
// exact only under `node --expose-gc` (bench/run.ts is started by tsx: run
// `node --expose-gc --import tsx bench/run.ts server`); without it they are approximate.
import { randomBytes } from 'node:crypto';
import { generateHostKey, toBase64Url } from '../crypto/index';
import { MAX_LOG_BYTES, MAX_ROOMS, MAX_STORED_BYTES, ROOM_OVERHEAD_BYTES } from '../protocol/limits';
import { Rooms } from '../server/rooms';
import { newAccessKeys } from '../tests/server/helpers';
import { type BenchSection } from './section';

const gc = (globalThis as { gc?: () => void }).gc;
function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

export async function run(): Promise<BenchSection[]> {
  const ROOMS = 2000;
  const hostKey = toBase64Url(generateHostKey().publicKey);
  const requests = Array.from({ length: ROOMS }, () => ({ accessVerifier: newAccessKeys().accessVerifier, hostKey }));
  const rooms = new Rooms(3_600_000, ROOMS + 1, Number.MAX_SAFE_INTEGER);
  const before = heap();
  const made = requests.map((r) => rooms.create(r, 0));
  const perRoom = (heap() - before) / ROOMS;

  const LOBBY = 100;
  const room = made[0]!.ok ? made[0]!.room : undefined;
  if (room === undefined) throw new Error('no room');
  const lobbyBefore = heap();
  for (let i = 0; i < LOBBY; i++) room.connect({ kind: 'access' }, 0, 15_000, { address: `192.0.2.${i}`, net64: `192.0.2.${i}` });
  const perLobby = (heap() - lobbyBefore) / LOBBY;

  const COMMITS = 500;
  const other = made[1]!.ok ? made[1]!.room : undefined;
  if (other === undefined) throw new Error('no room');
  const logBefore = heap();
  // 2000 distinct characters each, made after the first reading so that their text counts.
  const commits = Array.from({ length: COMMITS }, () => randomBytes(1500).toString('base64url'));
  for (let e = 0; e < COMMITS; e++) other.appendCommit(e, commits[e]!, {});
  const commit = commits[0]!;
  const perCommit = (heap() - logBefore) / COMMITS;
  const alive = made.length + room.participants.size; // keep them reachable until measured

  const idleRoomsMiB = (MAX_ROOMS * perRoom) / 2 ** 20;
  return [
    {
      name: 'server-memory',
      title: `Signaling server memory (${gc ? 'exact, --expose-gc' : 'approximate: no --expose-gc'})`,
      rows: [
        { what: 'idle room (no one connected, no log)', bytes: Math.round(perRoom), budget_charge: ROOM_OVERHEAD_BYTES },
        { what: 'lobby participant (room state only, not its socket)', bytes: Math.round(perLobby), budget_charge: 0 },
        { what: `kept commit of ${commit.length} chars`, bytes: Math.round(perCommit), budget_charge: commit.length },
        { what: `default budget: ${MAX_ROOMS} idle rooms`, bytes: Math.round(MAX_ROOMS * perRoom), budget_charge: MAX_ROOMS * ROOM_OVERHEAD_BYTES },
        { what: `default budget: rooms with a full ${MAX_LOG_BYTES / 2 ** 20} MiB log`, bytes: Math.floor(MAX_STORED_BYTES / (MAX_LOG_BYTES + ROOM_OVERHEAD_BYTES)), budget_charge: MAX_STORED_BYTES },
      ],
      notes: [
        `${ROOMS} rooms, ${LOBBY} lobby participants, ${COMMITS} commits measured (${alive} objects kept alive).`,
        `${MAX_ROOMS} idle rooms take about ${idleRoomsMiB.toFixed(1)} MiB of heap; the byte budget (${MAX_STORED_BYTES / 2 ** 20} MiB) stops new rooms first when logs are large.`,
        'The last row counts rooms, not bytes. A lobby socket also holds a ws connection and its buffers, outside these figures.',
      ],
    },
  ];
}
