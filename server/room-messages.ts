// How a room answers each client message, pure: role checks first, then the rule of the
// message, then the effects (sends, closes, grants). Nothing is applied when a check fails.
import { CloseCode, ErrorCode, MAX_LOBBY, MAX_MEMBERS, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type ClientMessage, type ClientMessageType, type ServerMessage } from '../protocol/protocol';
import { chunkCommits } from './commit-log';
import { error, fits, send, type Effect } from './effects';
import type { Participant, Room } from './room';

/** Messages only the host may send: membership changes and their commits. */
export const HOST_ONLY: ReadonlySet<ClientMessageType> = new Set(['admit', 'deny', 'remove', 'lock', 'end', 'transfer-host', 'commit']);
const ADMITTED_ONLY: ReadonlySet<ClientMessageType> = new Set(['relay', 'token']);

type Of<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;

export function handleMessage(room: Room, from: string, message: ClientMessage, now: number): Effect[] {
  const p = room.participants.get(from);
  if (!p || !p.connected || room.ended) return [];
  room.lastActive = now;
  if (HOST_ONLY.has(message.type) && p.role !== 'host') return [error(p.id, ErrorCode.notAllowed, `only the host may send ${message.type}`, message.type)];
  if (ADMITTED_ONLY.has(message.type) && p.role === 'lobby') return [error(p.id, ErrorCode.notAdmitted, `${message.type} needs admission by the host`, message.type)];
  if (message.type === 'knock' && p.role !== 'lobby') return [error(p.id, ErrorCode.notAllowed, 'only lobby participants knock', message.type)];

  switch (message.type) {
    case 'knock':
      return knock(room, p, message);
    case 'admit':
      return admit(room, p, message);
    case 'deny':
      return deny(room, p, message);
    case 'remove':
      return remove(room, p, message);
    case 'lock':
      return lock(room, message);
    case 'end':
      return end(room);
    case 'transfer-host':
      return transferHost(room, p, message);
    case 'commit':
      return commit(room, p, message);
    case 'sync':
      return sync(room, p, message);
    case 'relay':
      return relay(room, p, message);
    case 'token':
      return [{ kind: 'grant', to: p.id, as: 'token' }];
  }
}

function knock(room: Room, p: Participant, m: Of<'knock'>): Effect[] {
  if (room.locked) return [error(p.id, ErrorCode.roomLocked, 'the host locked this room', m.type)];
  if (room.admittedCount() >= MAX_MEMBERS) return [error(p.id, ErrorCode.roomFull, `the room holds ${MAX_MEMBERS} members`, m.type)];
  if (!room.knocks.has(p.id) && room.knocks.size >= MAX_LOBBY) return [error(p.id, ErrorCode.lobbyFull, `${MAX_LOBBY} knocks are already waiting`, m.type)];
  const out: ServerMessage = { v: PROTOCOL_VERSION, type: 'knock', from: p.id, payload: m.payload };
  if (!fits(out)) return [error(p.id, ErrorCode.tooLarge, `knock would exceed ${MAX_MESSAGE_BYTES} bytes`, m.type)];
  room.knocks.delete(p.id); // a new knock replaces the earlier one
  room.knocks.set(p.id, m.payload);
  const host = room.hostConnected();
  return [...(host !== null ? [send(host, out)] : []), ...room.presence()];
}

/** The listed ids, deduplicated, if all have `role`; else the first that does not. */
function pick(room: Room, ids: readonly string[], accept: (p: Participant) => boolean): { ok: Participant[] } | { bad: string } {
  const ok: Participant[] = [];
  for (const id of new Set(ids)) {
    const p = room.participants.get(id);
    if (!p || !accept(p)) return { bad: id };
    ok.push(p);
  }
  return { ok };
}

function admit(room: Room, host: Participant, m: Of<'admit'>): Effect[] {
  const picked = pick(room, m.participants, (p) => p.role === 'lobby');
  if ('bad' in picked) return [error(host.id, ErrorCode.unknownParticipant, `${picked.bad} is not in the lobby`, m.type)];
  if (room.admittedCount() + picked.ok.length > MAX_MEMBERS) return [error(host.id, ErrorCode.roomFull, `admitting ${picked.ok.length} would exceed ${MAX_MEMBERS} members`, m.type)];
  const effects: Effect[] = [];
  for (const p of picked.ok) {
    p.role = 'member';
    room.knocks.delete(p.id);
    effects.push({ kind: 'grant', to: p.id, as: 'admitted' });
  }
  return [...effects, ...room.presence()];
}

function deny(room: Room, host: Participant, m: Of<'deny'>): Effect[] {
  const picked = pick(room, m.participants, (p) => p.role === 'lobby');
  if ('bad' in picked) return [error(host.id, ErrorCode.unknownParticipant, `${picked.bad} is not in the lobby`, m.type)];
  const effects: Effect[] = [];
  for (const p of picked.ok) {
    effects.push({ kind: 'close', to: p.id, code: CloseCode.denied, reason: 'denied by the host' });
    room.forget(p.id, CloseCode.denied);
  }
  return [...effects, ...room.presence()];
}

function remove(room: Room, host: Participant, m: Of<'remove'>): Effect[] {
  const picked = pick(room, m.participants, (p) => p.role === 'member');
  if ('bad' in picked) return [error(host.id, ErrorCode.unknownParticipant, `${picked.bad} is not a member`, m.type)];
  const effects: Effect[] = [];
  for (const p of picked.ok) {
    effects.push({ kind: 'close', to: p.id, code: CloseCode.removed, reason: 'removed by the host' });
    effects.push({ kind: 'sfu-remove', participantId: p.id });
    room.forget(p.id, CloseCode.removed);
  }
  return [...effects, ...room.presence()];
}

function lock(room: Room, m: Of<'lock'>): Effect[] {
  room.locked = m.locked;
  return room.connected().map((p) => send(p.id, { v: PROTOCOL_VERSION, type: 'locked', locked: m.locked }));
}

function end(room: Room): Effect[] {
  room.ended = true;
  const closes: Effect[] = room.connected().map((p) => ({ kind: 'close', to: p.id, code: CloseCode.roomEnded, reason: 'the host ended the room' }));
  return [...closes, { kind: 'ended' }];
}

function transferHost(room: Room, host: Participant, m: Of<'transfer-host'>): Effect[] {
  const target = room.participants.get(m.to);
  if (!target || target.role !== 'member' || !target.connected) {
    return [error(host.id, ErrorCode.unknownParticipant, `${m.to} is not a connected member`, m.type)];
  }
  const hostCredential = room.rotateHostCredential();
  host.role = 'member';
  target.role = 'host';
  room.hostId = target.id;
  return [send(target.id, { v: PROTOCOL_VERSION, type: 'host', hostCredential }), ...room.presence(), ...room.pendingKnocksTo(target.id)];
}

function commit(room: Room, host: Participant, m: Of<'commit'>): Effect[] {
  // Only the next epoch is stored: a commit below it is stale, one above it would let whoever holds
  // the host credential park the log at epoch 2^53 - 1 and refuse every genuine commit after it.
  const last = room.log.lastEpoch;
  const next = last === null ? 0 : last + 1;
  if (m.epoch < next) return [error(host.id, ErrorCode.staleEpoch, `epoch ${m.epoch} is not after ${last}`, m.type)];
  if (m.epoch > next) return [error(host.id, ErrorCode.epochGap, `epoch ${m.epoch} skips ahead: the next is ${next}`, m.type)];
  // Every recipient must be able to receive this commit alone, as `commit` and inside `commits`.
  let largest = '';
  for (const env of Object.values(m.envelopes)) if (env.length > largest.length) largest = env;
  const alone: ServerMessage = { v: PROTOCOL_VERSION, type: 'commits', commits: [{ epoch: m.epoch, commit: m.commit, envelope: largest }] };
  if (!fits(alone)) return [error(host.id, ErrorCode.tooLarge, `a commit with its envelope would exceed ${MAX_MESSAGE_BYTES} bytes`, m.type)];
  room.log.append(m.epoch, m.commit, m.envelopes);
  if (m.lobby !== undefined) room.lobbyRecord = m.lobby;
  // Commits go to admitted members only: a lobby socket holds the link, not a key of any epoch.
  const effects: Effect[] = [];
  for (const p of room.connected()) {
    if (p.id === host.id) continue;
    if (m.lobby !== undefined) effects.push(send(p.id, { v: PROTOCOL_VERSION, type: 'lobby', lobby: m.lobby }));
    if (p.role === 'lobby') continue;
    const envelope = Object.hasOwn(m.envelopes, p.id) ? m.envelopes[p.id] : undefined;
    effects.push(send(p.id, { v: PROTOCOL_VERSION, type: 'commit', epoch: m.epoch, commit: m.commit, ...(envelope !== undefined ? { envelope } : {}) }));
  }
  return effects;
}

function sync(room: Room, p: Participant, m: Of<'sync'>): Effect[] {
  const items =
    p.role === 'lobby'
      ? []
      : room.log.after(m.afterEpoch).map((e) => {
          const envelope = e.envelopes.get(p.id);
          return { epoch: e.epoch, commit: e.commit, ...(envelope !== undefined ? { envelope } : {}) };
        });
  return chunkCommits(items, undefined, room.lobbyRecord).map((message) => send(p.id, message));
}

function relay(room: Room, p: Participant, m: Of<'relay'>): Effect[] {
  const out: ServerMessage = { v: PROTOCOL_VERSION, type: 'relay', from: p.id, payload: m.payload, ...(m.id !== undefined ? { id: m.id } : {}) };
  if (!fits(out)) return [error(p.id, ErrorCode.tooLarge, `relay would exceed ${MAX_MESSAGE_BYTES} bytes`, m.type)];
  let recipients: string[];
  if (m.to === 'all') {
    recipients = room.connectedAdmitted().filter((id) => id !== p.id);
  } else {
    const target = room.participants.get(m.to);
    if (!target || target.role === 'lobby' || target.id === p.id) return [error(p.id, ErrorCode.unknownParticipant, `${m.to} is not another member`, m.type)];
    recipients = target.connected ? [target.id] : []; // an admitted member who is away misses it
  }
  const effects = recipients.map((id) => send(id, out));
  if (m.id !== undefined) effects.push(send(p.id, { v: PROTOCOL_VERSION, type: 'ack', id: m.id }));
  return effects;
}
