// RoomController: everything the room page does, for the host and for guests. It reads the link,
// checks the room over HTTP, opens the signaling socket, drives the pure state machine in
// room-state.ts, and runs the effects of each step: knocking, admitting, asking for LiveKit
// grants, joining and leaving the call, and keeping the (interim) name roster.
import { toBase64Url } from '../../../crypto/bytes';
import { deriveLinkKeys, roomIdBytes, type LinkFragment, type LinkKeys } from '../../../crypto/link';
import { sodiumReady } from '../../../crypto/sodium';
import { ErrorCode, MAX_LOBBY, type LiveKitGrant, type ServerMessage } from '../../../protocol/protocol';
import { roomStatus } from './api';
import { CallSession } from './call.svelte';
import { loadHostCredential, saveHostCredential } from './host-credential';
import { openKnock, sealKnock } from './knock';
import { shareableLink, takeLink } from './link';
import { LocalMedia } from './media/local-media.svelte';
import { cleanName, FALLBACK_NAME } from './names';
import { openRoster, sealRoster, type Roster } from './roster';
import { initialState, lobbySentence, seatOf, transition, type Blocked, type RoomEvent, type RoomState } from './room-state';
import { SignalingClient, type CloseReason } from './signaling.svelte';

export interface PendingKnock {
  readonly id: string;
  readonly name: string;
}

const NAME_KEY = 'sealroom.name';
const GRANT_TIMEOUT_MS = 10_000;

const CLOSE_TO_BLOCKED: Partial<Record<CloseReason, Blocked>> = {
  removed: 'removed',
  denied: 'denied',
  ended: 'ended',
  replaced: 'replaced',
  protocol: 'failed',
  'gave-up': 'unreachable',
};

interface GrantWaiter {
  resolve(grant: LiveKitGrant): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class RoomController {
  readonly roomId: string;
  readonly media = new LocalMedia();

  state = $state.raw<RoomState>(initialState);
  displayName = $state(loadName());
  /** The full link, fragment included, for the host to share. */
  shareLink = $state<string | undefined>(undefined);
  participantId = $state<string | undefined>(undefined);
  hostId = $state<string | null>(null);
  locked = $state(false);
  /** Knocks waiting for this host's answer. */
  knocks = $state.raw<readonly PendingKnock[]>([]);
  /** Knocks that did not open with this link's keys: forged or altered on the way. */
  droppedKnocks = $state(0);
  /** participantId -> name: kept by the host, received by members. */
  roster = $state.raw<Roster>(new Map());
  call = $state.raw<CallSession | undefined>(undefined);
  signaling = $state.raw<SignalingClient | undefined>(undefined);

  readonly sentence = $derived(lobbySentence(this.state));
  readonly seat = $derived(seatOf(this.state));
  readonly isHost = $derived(this.seat === 'host');
  /** A connection problem to mention while in the call, if any. */
  readonly connectionNotice = $derived.by(() => {
    if (this.signaling?.status.kind === 'reconnecting' || this.call?.status === 'reconnecting') return 'Reconnecting…';
    if (this.call?.status === 'failed') return 'The media connection was lost.';
    return undefined;
  });

  #keys: LinkKeys | undefined;
  #fragment: LinkFragment | undefined;
  #credential = '';
  #grant: LiveKitGrant | undefined;
  #grantWaiters: GrantWaiter[] = [];
  #knockSent = false;
  #knownMembers = new Set<string>();
  #disposed = false;

  constructor(roomId: string) {
    this.roomId = roomId;
  }

  /** Display name for a tile. */
  nameOf(id: string): string {
    return this.roster.get(id) ?? (id === this.participantId ? this.#ownName() : FALLBACK_NAME);
  }

  #ownName(): string {
    return cleanName(this.displayName.trim() || (this.isHost ? 'Host' : FALLBACK_NAME));
  }

  async start(): Promise<void> {
    const link = takeLink(this.roomId);
    if (link.kind !== 'ok') {
      this.#dispatch({ type: 'blocked', reason: link.kind === 'damaged' ? 'damaged-link' : 'missing-link' });
      return;
    }
    void this.media.start();
    await sodiumReady();
    if (this.#disposed) return;
    this.#fragment = link.fragment;
    this.#keys = deriveLinkKeys(link.fragment.linkSecret, roomIdBytes(this.roomId));
    const hostCredential = loadHostCredential(this.roomId);
    this.#credential = hostCredential ?? toBase64Url(this.#keys.accessToken);
    if (hostCredential !== undefined) this.shareLink = shareableLink(this.roomId, link.fragment);

    const status = await roomStatus(this.roomId, this.#credential);
    if (this.#disposed) return;
    if (status.kind === 'not-found') return this.#dispatch({ type: 'blocked', reason: 'not-found' });
    if (status.kind === 'forbidden') return this.#dispatch({ type: 'blocked', reason: 'wrong-link' });
    if (status.kind === 'error') return this.#dispatch({ type: 'blocked', reason: 'unreachable' });
    if (hostCredential === undefined && status.status.full) return this.#dispatch({ type: 'blocked', reason: 'full' });
    if (hostCredential === undefined && status.status.locked) return this.#dispatch({ type: 'blocked', reason: 'locked' });
    this.locked = status.status.locked;

    const signaling = new SignalingClient(this.roomId, this.#credential);
    signaling.onMessage((message) => this.#receive(message));
    signaling.onClose((reason) => void this.#closed(reason));
    this.signaling = signaling;
    signaling.connect();
  }

  // --- actions (called by components)

  setName(name: string): void {
    this.displayName = name;
    try {
      localStorage.setItem(NAME_KEY, name);
    } catch {
      // Not remembered; still used for this call.
    }
  }

  /** Guest: ask the host to be let in. */
  knock(): void {
    this.#dispatch({ type: 'knock' });
  }

  /** Host: join the call. */
  startCall(): void {
    if (this.participantId !== undefined) this.#setRosterName(this.participantId, this.#ownName());
    this.#dispatch({ type: 'start' });
  }

  admit(ids: readonly string[]): void {
    const chosen = this.knocks.filter((k) => ids.includes(k.id)).slice(0, MAX_LOBBY);
    if (chosen.length === 0 || !this.signaling?.send({ type: 'admit', participants: chosen.map((k) => k.id) })) return;
    this.knocks = this.knocks.filter((k) => !chosen.includes(k));
    const roster = new Map(this.roster);
    for (const k of chosen) roster.set(k.id, k.name);
    this.roster = roster;
    this.#publishRoster();
  }

  admitAll(): void {
    this.admit(this.knocks.map((k) => k.id));
  }

  deny(ids: readonly string[]): void {
    const chosen = this.knocks.filter((k) => ids.includes(k.id));
    if (chosen.length === 0 || !this.signaling?.send({ type: 'deny', participants: chosen.map((k) => k.id) })) return;
    this.knocks = this.knocks.filter((k) => !chosen.includes(k));
  }

  async toggleMic(): Promise<void> {
    const on = !this.media.micOn;
    await (this.call ? this.call.setMic(on) : this.media.setMic(on));
  }

  async toggleCamera(): Promise<void> {
    const on = !this.media.cameraOn;
    await (this.call ? this.call.setCamera(on) : this.media.setCamera(on));
  }

  async leave(): Promise<void> {
    this.#dispatch({ type: 'left' });
  }

  /** The page is going away. */
  dispose(): void {
    this.#disposed = true;
    this.#teardown();
  }

  // --- state machine and its effects

  #dispatch(event: RoomEvent): void {
    const before = this.state;
    const after = transition(before, event);
    if (after === before) return;
    this.state = after;
    this.#effects(before, after);
  }

  #effects(before: RoomState, after: RoomState): void {
    switch (after.kind) {
      case 'lobby':
        if (before.kind === 'joining' || before.kind === 'call') this.#dropCall();
        // The server keeps a knock until the host is there to see it; send it once per session.
        if (after.seat === 'guest' && after.knocked && !this.#knockSent && this.#keys) {
          this.#knockSent = this.signaling?.send({ type: 'knock', payload: sealKnock(this.#keys, this.roomId, { name: this.displayName }) }) ?? false;
        }
        break;
      case 'joining':
        if (before.kind !== 'joining') void this.#joinCall();
        break;
      case 'blocked':
      case 'left':
        this.#teardown();
        break;
      case 'connecting':
      case 'call':
        break;
    }
  }

  async #joinCall(): Promise<void> {
    const call = this.call ?? new CallSession(this.media, () => this.#requestGrant());
    this.call = call;
    void call.startAudio().catch(() => undefined);
    let grant = this.#grant;
    this.#grant = undefined;
    try {
      grant ??= await this.#requestGrant();
    } catch {
      this.#dispatch({ type: 'blocked', reason: 'failed' });
      return;
    }
    await call.join(grant);
    if (call !== this.call) return;
    if (call.status === 'connected') this.#dispatch({ type: 'connected' });
    else if (call.status === 'failed') this.#dispatch({ type: 'blocked', reason: 'failed' });
  }

  #dropCall(): void {
    void this.call?.leave();
    this.call = undefined;
  }

  #teardown(): void {
    for (const waiter of this.#grantWaiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('left the room'));
    }
    this.#dropCall();
    this.signaling?.close();
    this.media.stop();
  }

  /** Ask the server for a fresh LiveKit grant (sent again after a reconnect if still waiting). */
  #requestGrant(): Promise<LiveKitGrant> {
    return new Promise((resolve, reject) => {
      const waiter: GrantWaiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#grantWaiters = this.#grantWaiters.filter((w) => w !== waiter);
          reject(new Error('no token from the server'));
        }, GRANT_TIMEOUT_MS),
      };
      this.#grantWaiters.push(waiter);
      if (this.#grantWaiters.length === 1) this.signaling?.send({ type: 'token' });
    });
  }

  #settleGrants(grant: LiveKitGrant | Error): void {
    for (const waiter of this.#grantWaiters.splice(0)) {
      clearTimeout(waiter.timer);
      if (grant instanceof Error) waiter.reject(grant);
      else waiter.resolve(grant);
    }
  }

  // --- signaling

  #receive(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.participantId = message.participantId;
        this.locked = message.locked;
        this.#knockSent = false;
        this.#dispatch({ type: 'welcome', role: message.role, hostPresent: message.hostPresent });
        if (message.role === 'host') {
          this.#setRosterName(message.participantId, this.#ownName());
          this.#knownMembers = new Set(message.members);
        }
        if (this.#grantWaiters.length > 0) this.signaling?.send({ type: 'token' });
        break;
      case 'knock':
        this.#knocked(message.from, message.payload);
        break;
      case 'admitted':
        this.#grant = message.livekit;
        this.#dispatch({ type: 'admitted' });
        break;
      case 'token':
        this.#settleGrants(message.livekit);
        break;
      case 'presence':
        this.#presence(message.members, message.host);
        break;
      case 'relay':
        this.#relayed(message.from, message.payload);
        break;
      case 'locked':
        this.locked = message.locked;
        break;
      case 'host':
        saveHostCredential(this.roomId, message.hostCredential);
        this.#credential = message.hostCredential;
        if (this.#fragment) this.shareLink = shareableLink(this.roomId, this.#fragment);
        this.#dispatch({ type: 'promoted' });
        break;
      case 'error':
        this.#serverError(message.code, message.ref);
        break;
      case 'commit':
      case 'commits':
      case 'ack':
        // Commits and epoch secrets are wired in with the crypto; acks are not awaited yet.
        break;
    }
  }

  #knocked(from: string, payload: string): void {
    if (!this.isHost || !this.#keys) return;
    const knock = openKnock(this.#keys, this.roomId, payload);
    if (!knock) {
      this.droppedKnocks++;
      console.warn(`room: dropped a knock from ${from} that does not open with this link`);
      return;
    }
    const others = this.knocks.filter((k) => k.id !== from);
    this.knocks = [...others, { id: from, name: knock.name }];
  }

  #presence(members: readonly string[], host: string | null): void {
    this.hostId = host;
    if (this.state.kind === 'lobby' && this.state.seat === 'guest') this.#dispatch({ type: 'host-present', present: host !== null });
    if (!this.isHost) return;
    const before = this.#knownMembers;
    this.#knownMembers = new Set(members);
    // Names are kept for members who drop and resume; only those present are sent.
    if (members.length !== before.size || members.some((id) => !before.has(id))) this.#publishRoster();
  }

  #relayed(from: string, payload: string): void {
    if (this.isHost || !this.#keys) return;
    if (this.hostId !== null && from !== this.hostId) return;
    const roster = openRoster(this.#keys, payload);
    if (roster) this.roster = roster;
  }

  #serverError(code: ErrorCode, ref: string | undefined): void {
    const inLobby = this.state.kind === 'lobby' && this.state.seat === 'guest';
    if (ref === 'token') this.#settleGrants(new Error(`token refused: ${code}`));
    if (inLobby && code === ErrorCode.roomFull) this.#dispatch({ type: 'blocked', reason: 'full' });
    else if (inLobby && code === ErrorCode.roomLocked) this.#dispatch({ type: 'blocked', reason: 'locked' });
    else if (inLobby && code === ErrorCode.lobbyFull) this.#dispatch({ type: 'blocked', reason: 'lobby-full' });
    else if (inLobby && code === ErrorCode.hostAbsent) this.#dispatch({ type: 'host-present', present: false });
    else console.warn(`room: server error ${code}${ref ? ` (answering ${ref})` : ''}`);
  }

  async #closed(reason: CloseReason): Promise<void> {
    if (reason === 'left') return;
    const blocked = CLOSE_TO_BLOCKED[reason];
    if (blocked) return this.#dispatch({ type: 'blocked', reason: blocked });
    // The upgrade was refused: the HTTP API says why.
    const status = await roomStatus(this.roomId, this.#credential);
    if (status.kind === 'not-found') this.#dispatch({ type: 'blocked', reason: 'not-found' });
    else if (status.kind === 'forbidden') this.#dispatch({ type: 'blocked', reason: 'wrong-link' });
    else if (status.kind === 'error') this.#dispatch({ type: 'blocked', reason: 'unreachable' });
    else if (status.status.full) this.#dispatch({ type: 'blocked', reason: 'full' });
    else if (status.status.locked) this.#dispatch({ type: 'blocked', reason: 'locked' });
    else this.#dispatch({ type: 'blocked', reason: 'failed' });
  }

  // --- roster (host)

  #setRosterName(id: string, name: string): void {
    if (this.roster.get(id) === name) return;
    this.roster = new Map(this.roster).set(id, name);
    this.#publishRoster();
  }

  #rosterQueued = false;

  /** Send the roster to everyone, once per burst of changes. */
  #publishRoster(): void {
    if (!this.isHost || this.#rosterQueued) return;
    this.#rosterQueued = true;
    queueMicrotask(() => {
      this.#rosterQueued = false;
      if (!this.#keys || !this.isHost) return;
      const present = new Map([...this.roster].filter(([id]) => id === this.participantId || this.#knownMembers.has(id)));
      this.signaling?.send({ type: 'relay', to: 'all', payload: sealRoster(this.#keys, present) });
    });
  }
}

function loadName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}
