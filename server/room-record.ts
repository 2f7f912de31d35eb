// The stored form of a room (server/room-store.ts keeps it): JSON text, bytes as base64url, a
// version field first. Whatever comes back from the store is parsed here, once, with zod, and a
// record that does not parse, or that lies about itself (a host that is not a participant, a
// commit log out of order), is refused with a StoreRecordError that names the room and the field:
// the store is as untrusted as the network (SECURITY.md), so a bad record never crashes a node.
import { z } from 'zod';
import { fromBase64Url, toBase64Url } from '../crypto/index';
import { MAX_LOBBY_RECORD_CHARS, MAX_LOG_COMMITS, MAX_TOMBSTONES, MAX_DEPARTED, MAX_RESUME_TOKENS, MAX_LOBBY_REMEMBERED } from '../protocol/limits';
import { CloseCode, MAX_MEMBERS, RoomId } from '../protocol/protocol';
import type { DurableRoom } from './room';

const RECORD_VERSION = 1;

export class StoreRecordError extends Error {
  override readonly name = 'StoreRecordError';
  constructor(
    readonly roomId: string,
    detail: string,
  ) {
    super(`the stored record of room ${roomId} is unreadable: ${detail}`);
  }
}

export interface StoredCommit {
  readonly epoch: number;
  readonly commit: string;
  readonly envelopes: Record<string, string>;
}

const bytes = (length: number) =>
  z.string().transform((s, ctx) => {
    try {
      const b = fromBase64Url(s);
      if (b.length === length && toBase64Url(b) === s) return b;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: `expected ${length} bytes in base64url` });
    return z.NEVER;
  });

const Hash = bytes(32);
const Epoch = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Time = z.number().int().min(0);
const Id = RoomId; // participant ids have the room id's form
const closeCodes = Object.values(CloseCode) as number[];

const Record = z.object({
  v: z.literal(RECORD_VERSION),
  id: RoomId,
  info: z.string().max(16 * 1024).optional(),
  hostCredentialHash: Hash,
  accessVerifier: Hash,
  hostKey: Hash,
  lastActive: Time,
  locked: z.boolean(),
  hostId: Id.nullable(),
  lobbyRecord: z.string().max(MAX_LOBBY_RECORD_CHARS).optional(),
  participants: z
    .array(
      z.object({
        id: Id,
        role: z.enum(['host', 'member', 'lobby']),
        connected: z.boolean(),
        lastSeen: Time,
        resumeHashes: z.array(Hash).max(MAX_RESUME_TOKENS),
        hostKey: Hash.optional(),
      }),
    )
    .max(MAX_MEMBERS + MAX_LOBBY_REMEMBERED + 1),
  tombstones: z.array(z.object({ hash: Hash, code: z.number().refine((c) => closeCodes.includes(c), 'not a close code'), upTo: Epoch.optional() })).max(MAX_TOMBSTONES),
  departed: z.array(Id).max(MAX_DEPARTED),
});

const CommitEntry = z.object({ commit: z.string().min(1).max(64 * 1024), envelopes: z.record(Id, z.string().max(64 * 1024)) });

export function encodeRecord(room: DurableRoom): string {
  const b = toBase64Url;
  return JSON.stringify({
    v: RECORD_VERSION,
    ...room,
    hostCredentialHash: b(room.hostCredentialHash),
    accessVerifier: b(room.accessVerifier),
    hostKey: b(room.hostKey),
    participants: room.participants.map((p) => ({ ...p, resumeHashes: p.resumeHashes.map(b), ...(p.hostKey !== undefined ? { hostKey: b(p.hostKey) } : {}) })),
    tombstones: room.tombstones.map((t) => ({ ...t, hash: b(t.hash) })),
  });
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid' : `${issue.path.join('.') || 'record'}: ${issue.message}`;
}

/** The room `roomId` as the store holds it; throws StoreRecordError for anything but a well-formed, consistent record. */
export function decodeRecord(roomId: string, text: string): DurableRoom {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StoreRecordError(roomId, 'not JSON');
  }
  const parsed = Record.safeParse(json);
  if (!parsed.success) throw new StoreRecordError(roomId, firstIssue(parsed.error));
  const { v: _version, ...room } = parsed.data;
  if (room.id !== roomId) throw new StoreRecordError(roomId, `it names another room (${room.id})`);
  const ids = new Set(room.participants.map((p) => p.id));
  if (ids.size !== room.participants.length) throw new StoreRecordError(roomId, 'a participant is listed twice');
  const hosts = room.participants.filter((p) => p.role === 'host');
  if (hosts.length > 1 || (room.hostId !== null && hosts[0]?.id !== room.hostId) || (room.hostId === null && hosts.length > 0)) {
    throw new StoreRecordError(roomId, 'hostId does not match the participant holding the host role');
  }
  return {
    id: room.id,
    ...(room.info !== undefined ? { info: room.info } : {}),
    hostCredentialHash: room.hostCredentialHash,
    accessVerifier: room.accessVerifier,
    hostKey: room.hostKey,
    lastActive: room.lastActive,
    locked: room.locked,
    hostId: room.hostId,
    ...(room.lobbyRecord !== undefined ? { lobbyRecord: room.lobbyRecord } : {}),
    participants: room.participants.map((p) => ({ id: p.id, role: p.role, connected: p.connected, lastSeen: p.lastSeen, resumeHashes: p.resumeHashes, ...(p.hostKey !== undefined ? { hostKey: p.hostKey } : {}) })),
    tombstones: room.tombstones.map((t) => ({ hash: t.hash, code: t.code as CloseCode, ...(t.upTo !== undefined ? { upTo: t.upTo } : {}) })),
    departed: room.departed,
  };
}

export function encodeCommit(c: StoredCommit): string {
  return JSON.stringify({ commit: c.commit, envelopes: c.envelopes });
}

/**
 * The commit log as stored: entries in epoch order, each `epoch` a safe integer above the one
 * before, at most MAX_LOG_COMMITS, the last one being `lastEpoch` (the record's own count).
 */
export function decodeCommits(roomId: string, entries: readonly { epoch: string; text: string }[], lastEpoch: string | undefined): StoredCommit[] {
  if (entries.length > MAX_LOG_COMMITS) throw new StoreRecordError(roomId, `the commit log holds ${entries.length} entries, more than ${MAX_LOG_COMMITS}`);
  const out: StoredCommit[] = [];
  let previous = -1;
  for (const entry of entries) {
    const epoch = Epoch.safeParse(Number(entry.epoch));
    if (!/^\d+$/.test(entry.epoch) || !epoch.success || epoch.data <= previous) throw new StoreRecordError(roomId, `commit log entry ${JSON.stringify(entry.epoch)} is not an epoch after ${previous}`);
    let json: unknown;
    try {
      json = JSON.parse(entry.text);
    } catch {
      throw new StoreRecordError(roomId, `commit ${epoch.data} is not JSON`);
    }
    const parsed = CommitEntry.safeParse(json);
    if (!parsed.success) throw new StoreRecordError(roomId, `commit ${epoch.data}: ${firstIssue(parsed.error)}`);
    out.push({ epoch: epoch.data, commit: parsed.data.commit, envelopes: parsed.data.envelopes });
    previous = epoch.data;
  }
  const last = lastEpoch === undefined || lastEpoch === '-1' ? null : Number(lastEpoch);
  if (last !== null && !Epoch.safeParse(last).success) throw new StoreRecordError(roomId, 'its last epoch is not a number');
  if ((out.at(-1)?.epoch ?? null) !== last) throw new StoreRecordError(roomId, `its commit log ends at ${out.at(-1)?.epoch ?? 'nothing'}, its last epoch says ${String(last)}`);
  return out;
}
