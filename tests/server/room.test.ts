// The pure room state (server/room.ts, server/room-messages.ts): driven without any socket, by
// inspecting the effects each step returns.
import { describe, expect, it } from 'vitest';
import { fromBase64Url } from '../../crypto/index';
import { CloseCode, MAX_LOBBY, MAX_MEMBERS, type ClientMessage, type ServerMessage } from '../../protocol/protocol';
import { hashCredential, newCredential, newId } from '../../server/credentials';
import type { Effect } from '../../server/effects';
import { LOBBY_GRACE_MS, MAX_DEPARTED, MAX_RESUME_TOKENS, MEMBER_GRACE_MS } from '../../protocol/limits';
import { Room } from '../../server/room';
import { handleMessage } from '../../server/room-messages';
import { newAccessKeys } from './helpers';

function makeRoom() {
  const hostCredential = newCredential();
  const keys = newAccessKeys();
  const room = new Room({ id: newId(), hostCredentialHash: hashCredential(hostCredential)!, accessVerifier: fromBase64Url(keys.accessVerifier), now: 0 });
  return { room, hostCredential, accessToken: keys.accessToken, accessVerifier: keys.accessVerifier };
}

function join(room: Room, credential: string, now = 0) {
  const auth = room.authenticate(credential);
  if (auth === null || auth.kind === 'revoked') throw new Error(`credential refused: ${auth?.kind ?? 'null'}`);
  const c = room.connect(auth, now, 15_000);
  if (c === null) throw new Error('connect refused');
  const welcome = c.welcome as Extract<ServerMessage, { type: 'welcome' }>;
  return { id: c.participantId, welcome, effects: c.effects };
}

const sent = (effects: Effect[], to: string): ServerMessage[] => effects.flatMap((e) => (e.kind === 'send' && e.to === to ? [e.message] : []));
const codeOf = (effects: Effect[], to: string) => sent(effects, to).find((m) => m.type === 'error')?.code;
type Body<T> = T extends unknown ? Omit<T, 'v'> : never;
const msg = (m: Body<ClientMessage>): ClientMessage => ({ v: 1, ...m }) as ClientMessage;

/** A room with a connected host and `n` lobby participants who knocked. */
function withKnocks(n: number) {
  const r = makeRoom();
  const host = join(r.room, r.hostCredential);
  const guests = Array.from({ length: n }, () => join(r.room, r.accessToken));
  for (const g of guests) handleMessage(r.room, g.id, msg({ type: 'knock', payload: 'aw' }), 1);
  return { ...r, host, guests };
}

describe('room credentials', () => {
  it('classifies the host credential, the access token, resume tokens and strangers', () => {
    const { room, hostCredential, accessToken, accessVerifier } = makeRoom();
    expect(room.authenticate(hostCredential)).toEqual({ kind: 'host' });
    expect(room.authenticate(accessToken)).toEqual({ kind: 'access' });
    const g = join(room, accessToken);
    expect(room.authenticate(g.welcome.resumeToken)).toMatchObject({ kind: 'resume', participantId: g.id });
    expect(room.authenticate(accessVerifier)).toBeNull();
    expect(room.authenticate(newCredential())).toBeNull();
    expect(room.authenticate('short')).toBeNull();
  });

  it('lets a resume token work once', () => {
    const { room, accessToken } = makeRoom();
    const g = join(room, accessToken);
    expect(join(room, g.welcome.resumeToken).id).toBe(g.id);
    expect(room.authenticate(g.welcome.resumeToken)).toBeNull();
  });

  it(`keeps only the newest ${MAX_RESUME_TOKENS} unused resume tokens of a participant`, () => {
    const { room, hostCredential } = makeRoom();
    const tokens = Array.from({ length: MAX_RESUME_TOKENS + 2 }, () => join(room, hostCredential).welcome.resumeToken);
    expect(tokens.map((t) => room.authenticate(t)?.kind ?? null)).toEqual([null, null, ...Array<string>(MAX_RESUME_TOKENS).fill('resume')]);
  });

  it('stops accepting the old host credential after a transfer', () => {
    const { room, hostCredential, accessToken } = makeRoom();
    const host = join(room, hostCredential);
    const g = join(room, accessToken);
    handleMessage(room, host.id, msg({ type: 'admit', participants: [g.id] }), 1);
    const effects = handleMessage(room, host.id, msg({ type: 'transfer-host', to: g.id }), 2);
    const granted = sent(effects, g.id).find((m) => m.type === 'host');
    expect(granted?.type).toBe('host');
    expect(room.authenticate(hostCredential)).toBeNull();
    expect(room.authenticate((granted as Extract<ServerMessage, { type: 'host' }>).hostCredential)).toEqual({ kind: 'host' });
    expect(room.participants.get(host.id)?.role).toBe('member');
    expect(room.hostId).toBe(g.id);
  });
});

describe('room connections and presence', () => {
  it('welcomes a lobby participant without member ids but with host presence', () => {
    const { room, hostCredential, accessToken } = makeRoom();
    const host = join(room, hostCredential);
    const g = join(room, accessToken);
    expect(g.welcome).toMatchObject({ role: 'lobby', hostPresent: true, members: [] });
    expect(sent(g.effects, g.id)).toEqual([{ v: 1, type: 'presence', members: [], host: host.id, lobby: 0 }]);
  });

  it('does not tell the lobby when members come and go (only host presence and the knock count)', () => {
    const { room, hostCredential, accessToken } = makeRoom();
    join(room, hostCredential);
    const waiting = join(room, accessToken);
    const member = join(room, accessToken);
    handleMessage(room, member.id, msg({ type: 'knock', payload: 'aw' }), 1);
    const hostId = room.hostId!;
    const admitted = handleMessage(room, hostId, msg({ type: 'admit', participants: [member.id] }), 2);
    // The knock count fell: the lobby hears that, not who is in the room.
    expect(sent(admitted, waiting.id).filter((m) => m.type === 'presence')).toEqual([{ v: 1, type: 'presence', members: [], host: hostId, lobby: 0 }]);
    const gone = room.disconnect(member.id, false, 3);
    expect(sent(gone, hostId).some((m) => m.type === 'presence')).toBe(true);
    expect(sent(gone, waiting.id)).toEqual([]);
  });

  it('queues knocks while the host is absent and hands them over when it connects', () => {
    const { room, hostCredential, accessToken } = makeRoom();
    const g = join(room, accessToken);
    const effects = handleMessage(room, g.id, msg({ type: 'knock', payload: 'aw' }), 1);
    expect(effects.filter((e) => e.kind === 'send' && e.message.type === 'knock')).toEqual([]);
    const host = join(room, hostCredential);
    expect(sent(host.effects, host.id).filter((m) => m.type === 'knock')).toEqual([{ v: 1, type: 'knock', from: g.id, payload: 'aw' }]);
  });

  it('forgets a participant that leaves normally and keeps one that dropped', () => {
    const { room, accessToken } = makeRoom();
    const a = join(room, accessToken);
    const b = join(room, accessToken);
    room.disconnect(a.id, true, 1);
    room.disconnect(b.id, false, 1);
    expect(room.participants.has(a.id)).toBe(false);
    expect(room.participants.get(b.id)?.connected).toBe(false);
    expect(room.authenticate(b.welcome.resumeToken)?.kind).toBe('resume');
  });

  it('forgets disconnected lobby participants and their knocks after the grace period', () => {
    const { room, guests, host } = withKnocks(2);
    room.disconnect(guests[0]!.id, false, 10);
    expect(room.sweep(10 + LOBBY_GRACE_MS)).toEqual([]);
    const effects = room.sweep(11 + LOBBY_GRACE_MS);
    expect(room.participants.has(guests[0]!.id)).toBe(false);
    expect(room.knocks.size).toBe(1);
    expect(sent(effects, host.id)).toEqual([{ v: 1, type: 'presence', members: [host.id], host: host.id, lobby: 1 }]);
  });

  it('tells the host when an admitted member leaves for good, and again when the host reconnects', () => {
    const { room, guests, host, hostCredential } = withKnocks(2);
    handleMessage(room, host.id, msg({ type: 'admit', participants: guests.map((g) => g.id) }), 2);
    const left = room.disconnect(guests[0]!.id, true, 3);
    expect(sent(left, host.id).filter((m) => m.type === 'left')).toEqual([{ v: 1, type: 'left', participants: [guests[0]!.id] }]);
    // A member who only dropped is not gone.
    expect(sent(room.disconnect(guests[1]!.id, false, 3), host.id).some((m) => m.type === 'left')).toBe(false);
    room.disconnect(host.id, false, 4);
    const back = join(room, hostCredential, 5);
    expect(sent(back.effects, back.id).filter((m) => m.type === 'left')).toEqual([{ v: 1, type: 'left', participants: [guests[0]!.id] }]);
  });

  it('forgets a member away longer than the member grace and reports it as left', () => {
    const { room, guests, host } = withKnocks(1);
    handleMessage(room, host.id, msg({ type: 'admit', participants: [guests[0]!.id] }), 2);
    room.disconnect(guests[0]!.id, false, 10);
    expect(room.sweep(10 + MEMBER_GRACE_MS).some((e) => e.kind === 'send' && e.message.type === 'left')).toBe(false);
    const effects = room.sweep(11 + MEMBER_GRACE_MS);
    expect(room.participants.has(guests[0]!.id)).toBe(false);
    expect(sent(effects, host.id).filter((m) => m.type === 'left')).toEqual([{ v: 1, type: 'left', participants: [guests[0]!.id] }]);
  });

  it('does not report lobby participants or removed members as left, and bounds what it remembers', () => {
    const { room, guests, host, accessToken } = withKnocks(2);
    expect(sent(room.disconnect(guests[0]!.id, true, 3), host.id).some((m) => m.type === 'left')).toBe(false);
    handleMessage(room, host.id, msg({ type: 'admit', participants: [guests[1]!.id] }), 4);
    const removed = handleMessage(room, host.id, msg({ type: 'remove', participants: [guests[1]!.id] }), 5);
    expect(sent(removed, host.id).some((m) => m.type === 'left')).toBe(false);
    for (let i = 0; i < MAX_DEPARTED + 5; i++) {
      const g = join(room, accessToken);
      handleMessage(room, g.id, msg({ type: 'knock', payload: 'aw' }), 6);
      handleMessage(room, host.id, msg({ type: 'admit', participants: [g.id] }), 6);
      room.disconnect(g.id, true, 7);
    }
    room.disconnect(host.id, false, 8);
    const back = room.connect({ kind: 'host' }, 9, 15_000)!;
    const told = sent(back.effects, back.participantId).find((m) => m.type === 'left');
    expect(told?.type === 'left' && told.participants.length).toBe(MAX_DEPARTED);
  });

  it('is idle only with nobody connected for the whole TTL', () => {
    const { room, accessToken } = makeRoom();
    const g = join(room, accessToken, 100);
    expect(room.isIdle(10_000, 1000)).toBe(false);
    room.disconnect(g.id, false, 200);
    expect(room.isIdle(1199, 1000)).toBe(false);
    expect(room.isIdle(1200, 1000)).toBe(true);
  });
});

describe('room messages', () => {
  it('ignores messages from a participant the room no longer knows', () => {
    const { room, guests, host } = withKnocks(1);
    handleMessage(room, host.id, msg({ type: 'deny', participants: [guests[0]!.id] }), 2);
    expect(handleMessage(room, guests[0]!.id, msg({ type: 'token' }), 3)).toEqual([]);
  });

  it('lets a waiting participant replace its knock even with a full lobby', () => {
    const { room, guests } = withKnocks(MAX_LOBBY);
    const first = guests[0]!;
    expect(codeOf(handleMessage(room, first.id, msg({ type: 'knock', payload: 'bmV3' }), 2), first.id)).toBeUndefined();
    expect(room.knocks.get(first.id)).toBe('bmV3');
    expect(room.knocks.size).toBe(MAX_LOBBY);
  });

  it('refuses a knock in a locked room', () => {
    const { room, host, guests } = withKnocks(1);
    handleMessage(room, host.id, msg({ type: 'lock', locked: true }), 3);
    expect(codeOf(handleMessage(room, guests[0]!.id, msg({ type: 'knock', payload: 'aw' }), 4), guests[0]!.id)).toBe('room-locked');
  });

  it('answers lobby-full to a new knock once MAX_LOBBY knocks wait', () => {
    const r = withKnocks(MAX_LOBBY);
    const extra = join(r.room, r.accessToken);
    expect(codeOf(handleMessage(r.room, extra.id, msg({ type: 'knock', payload: 'aw' }), 2), extra.id)).toBe('lobby-full');
  });

  it('admits all or nothing, within MAX_MEMBERS, and grants each admitted participant', () => {
    const { room, host, guests } = withKnocks(MAX_MEMBERS);
    const ids = guests.map((g) => g.id);
    expect(codeOf(handleMessage(room, host.id, msg({ type: 'admit', participants: [ids[0]!, host.id] }), 2), host.id)).toBe('unknown-participant');
    expect(codeOf(handleMessage(room, host.id, msg({ type: 'admit', participants: ids }), 2), host.id)).toBe('room-full');
    expect(room.admittedCount()).toBe(1);
    const effects = handleMessage(room, host.id, msg({ type: 'admit', participants: ids.slice(0, MAX_MEMBERS - 1) }), 3);
    expect(effects.filter((e) => e.kind === 'grant').map((e) => (e.kind === 'grant' ? [e.to, e.as] : []))).toEqual(ids.slice(0, MAX_MEMBERS - 1).map((id) => [id, 'admitted']));
    expect(room.admittedCount()).toBe(MAX_MEMBERS);
    expect(room.status().full).toBe(true);
    expect(codeOf(handleMessage(room, ids[MAX_MEMBERS - 1]!, msg({ type: 'knock', payload: 'aw' }), 4), ids[MAX_MEMBERS - 1]!)).toBe('room-full');
  });

  it('closes denied and removed participants and remembers why for their resume tokens', () => {
    const { room, host, guests } = withKnocks(2);
    const [denied, removed] = guests as [(typeof guests)[0], (typeof guests)[0]];
    handleMessage(room, host.id, msg({ type: 'admit', participants: [removed.id] }), 2);
    const d = handleMessage(room, host.id, msg({ type: 'deny', participants: [denied.id] }), 3);
    expect(d).toContainEqual({ kind: 'close', to: denied.id, code: CloseCode.denied, reason: 'denied by the host' });
    const r = handleMessage(room, host.id, msg({ type: 'remove', participants: [removed.id] }), 4);
    expect(r).toContainEqual({ kind: 'close', to: removed.id, code: CloseCode.removed, reason: 'removed by the host' });
    expect(r).toContainEqual({ kind: 'sfu-remove', participantId: removed.id });
    expect(room.authenticate(denied.welcome.resumeToken)).toEqual({ kind: 'revoked', code: CloseCode.denied });
    expect(room.authenticate(removed.welcome.resumeToken)).toEqual({ kind: 'revoked', code: CloseCode.removed });
    expect(room.participants.has(removed.id)).toBe(false);
  });

  it('stores commits, delivers per-recipient envelopes and refuses stale epochs', () => {
    const { room, host, guests } = withKnocks(2);
    const [member, lobby] = guests as [(typeof guests)[0], (typeof guests)[0]];
    handleMessage(room, host.id, msg({ type: 'admit', participants: [member.id] }), 2);
    const e = handleMessage(room, host.id, msg({ type: 'commit', epoch: 0, commit: 'Yw', envelopes: { [member.id]: 'bQ', [lobby.id]: 'bA' } }), 3);
    expect(sent(e, member.id)).toEqual([{ v: 1, type: 'commit', epoch: 0, commit: 'Yw', envelope: 'bQ' }]);
    expect(sent(e, lobby.id)).toEqual([]); // a lobby socket gets no commit, even one naming it
    expect(sent(e, host.id)).toEqual([]);
    expect(codeOf(handleMessage(room, host.id, msg({ type: 'commit', epoch: 0, commit: 'Yw', envelopes: {} }), 4), host.id)).toBe('stale-epoch');
    expect(room.log.size).toBe(1);
  });

  it('refuses a commit whose envelope could not be delivered within the cap', () => {
    const { room, host } = withKnocks(0);
    const big = 'Q'.repeat(30_000);
    const e = handleMessage(room, host.id, { v: 1, type: 'commit', epoch: 0, commit: big, envelopes: { [newId()]: big } }, 1);
    expect(codeOf(e, host.id)).toBe('too-large');
    expect(room.log.lastEpoch).toBeNull();
  });

  it('ends the room: closes everyone connected and says so', () => {
    const { room, host, guests } = withKnocks(1);
    const e = handleMessage(room, host.id, msg({ type: 'end' }), 2);
    expect(e).toEqual([
      { kind: 'close', to: host.id, code: CloseCode.roomEnded, reason: 'the host ended the room' },
      { kind: 'close', to: guests[0]!.id, code: CloseCode.roomEnded, reason: 'the host ended the room' },
      { kind: 'ended' },
    ]);
    expect(room.ended).toBe(true);
    expect(handleMessage(room, host.id, msg({ type: 'sync' }), 3)).toEqual([]);
  });
});
