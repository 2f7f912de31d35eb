// RoomController: everything the room page does, for the host and for guests. It reads the link,
// checks the room over HTTP, loads this profile's keys, opens the signaling socket, drives the
// pure state machine in room-state.ts, and runs the effects of each step: knocking, asking for
// LiveKit grants, joining and leaving the call. Membership, commits and keys live in SecureRoom.
import { fromBase64Url, toBase64Url, deriveLinkKeys, roomIdBytes, type LinkFragment, roomContext, openRoomInfo, type RoomInfo, sodiumReady } from '../../../crypto/index';
import { ErrorCode, type LiveKitGrant, type ServerMessage } from '../../../protocol/protocol';
import { roomStatus } from './api';
import { CallSession } from './call.svelte';
import { Chat } from './chat/chat.svelte';
import { mediaKeys, type MediaKeys } from './e2ee/media-keys.svelte';
import { type MemberView } from './session/membership';
import { type PendingKnock } from './session/host-desk';
import { SecureRoom } from './e2ee/secure-room.svelte';
import { tileSecurity, type TileSecurity } from './e2ee/tile-status';
import { GrantRequests } from './grants';
import { forgetHostCredential, loadHostCredential, markRoomCreated, roomCreatedHere, saveHostCredential } from './host-credential';
import { shareableLink, takeLink } from './link';
import { LocalMedia } from './media/local-media.svelte';
import { cleanName, nameTooLong } from './names';
import { loadContacts } from './storage/contacts-store';
import { MediaPresence } from './presence/presence.svelte';
import { initialState, lobbySentence, seatOf, transition, type Blocked, type RoomEvent, type RoomState } from './room-state';
import { SignalingClient, type CloseReason } from './signaling.svelte';
import { loadIdentity } from './storage/identity-store';
import { claimRoomKey, forgetRoomKey } from './storage/room-key-store';
import { forgetRoomHostKey, roomHostKey } from './storage/host-key-store';
import { t } from './i18n/i18n.svelte';
import { message } from './i18n/message';

export type { PendingKnock };

const NAME_KEY = 'sealroom.name';

const CLOSE_TO_BLOCKED: Partial<Record<CloseReason, Blocked>> = {
  denied: 'denied',
  replaced: 'replaced',
  protocol: 'failed',
  unproven: 'unproven',
  'gave-up': 'unreachable',
};


export class RoomController {
  readonly roomId: string;
  readonly media = new LocalMedia();

  state = $state.raw<RoomState>(initialState);
  displayName = $state(loadName());
  /** The full link, fragment included, for the host to share. */
  shareLink = $state<string | undefined>(undefined);
  participantId = $state<string | undefined>(undefined);
  hostId = $state<string | null>(null);
  /** The server's lock flag (the signed one is `secure.membership.locked`). */
  locked = $state(false);
  /** Admitted participants whose socket is connected now (routing metadata from the server). */
  present = $state.raw<ReadonlySet<string>>(new Set());
  /** Title, description and start time, opened with the link's key; undefined if the room has none. */
  info = $state.raw<RoomInfo | undefined>(undefined);
  /** The server served room details that do not open with this link: altered, or not this room's. */
  infoRefused = $state(false);
  call = $state.raw<CallSession | undefined>(undefined);
  /** The encrypted side: membership, commits, keys. Set once the keys are loaded. */
  secure = $state.raw<SecureRoom | undefined>(undefined);
  signaling = $state.raw<SignalingClient | undefined>(undefined);
  /** The call's encrypted chat, and each member's media state as it says itself. Set with `secure`. */
  chat = $state.raw<Chat | undefined>(undefined);
  presence = $state.raw<MediaPresence | undefined>(undefined);

  readonly sentence = $derived(lobbySentence(this.state));
  readonly seat = $derived(seatOf(this.state));
  /** Once in the room, the signed chain decides who the host is; before that, the server's seat. */
  readonly isHost = $derived(this.secure?.membership.state.kind === 'member' ? this.secure.membership.isHost : this.seat === 'host');
  /** A connection problem to mention while in the call, if any. */
  readonly connectionNotice = $derived.by(() => {
    if (this.signaling?.status.kind === 'reconnecting' || this.call?.status === 'reconnecting') return message('call.reconnecting');
    if (this.call?.status === 'failed') return message('call.mediaLost');
    return undefined;
  });

  #fragment: LinkFragment | undefined;
  #media: MediaKeys | undefined;
  #credential = '';
  #grant: LiveKitGrant | undefined;
  readonly #grants = new GrantRequests(() => void this.signaling?.send({ type: 'token' }));
  #disposed = false;

  constructor(roomId: string) {
    this.roomId = roomId;
  }

  /** Knocks waiting for this host's answer, each verified. */
  get knocks(): readonly PendingKnock[] {
    return this.secure?.host.knocks ?? [];
  }

  /** Members of the current epoch, from the signed commit chain. */
  get members(): readonly MemberView[] {
    return this.secure?.membership.members ?? [];
  }

  /** What a remote member's tile says about its media (undefined for people outside the member list). */
  securityOf(id: string): TileSecurity | undefined {
    const member = this.members.find((m) => m.participantId === id);
    const epoch = this.secure?.membership.epoch;
    if (!member || epoch === null || epoch === undefined || !this.#media) return undefined;
    return tileSecurity(this.#media.stats, member.participantId, epoch, this.#media.detached, this.#media.signatures, this.signaling?.status.kind === 'reconnecting');
  }

  /** [M1] Members whose own media signatures contradict each other: refused until the epoch changes. */
  get refusedSenders(): readonly string[] {
    return (this.#media?.signatures.refused ?? []).map((id) => this.nameOf(id));
  }

  /** [M1] Media batches that did not verify (not attributable to anyone). */
  get badBatches(): number {
    return this.#media?.signatures.badBatches ?? 0;
  }

  /** Media frames the Worker dropped, by reason (shown in the security panel). */
  get drops(): Readonly<Record<string, number>> | undefined {
    return this.#media?.stats.dropped;
  }

  /** Epoch keys the media Worker could not install: no media of that epoch opens on this page. */
  get keyErrors(): number {
    return this.#media?.keyErrors ?? 0;
  }

  /** A participant's name from the signed commits; a LiveKit identity not in them has none. */
  nameOf(id: string): string {
    return this.members.find((m) => m.participantId === id)?.name ?? (id === this.participantId ? this.#ownName() : t('lobby.guestPlaceholder'));
  }

  #ownName(): string {
    // Someone who gave no name is called "Host" or "Guest" in their own page's language.
    return cleanName(this.displayName.trim() || t(this.isHost ? 'lobby.hostPlaceholder' : 'lobby.guestPlaceholder'));
  }

  async start(): Promise<void> {
    const link = takeLink(this.roomId);
    if (link.kind !== 'ok') {
      this.#dispatch({ type: 'blocked', reason: link.kind === 'damaged' ? 'damaged-link' : 'missing-link' });
      return;
    }
    try {
      this.#media = mediaKeys();
    } catch {
      this.#dispatch({ type: 'blocked', reason: 'unsupported' });
      return;
    }
    void this.media.start();
    await sodiumReady();
    // The per-room host key: the creator's from create-room.ts, or a fresh one in case the role is handed here.
    const [identity, { roomKey, life }, hostKey] = await Promise.all([loadIdentity(), claimRoomKey(this.roomId), roomHostKey(this.roomId)]);
    if (this.#disposed) return;
    this.#fragment = link.fragment;
    const keys = deriveLinkKeys(link.fragment.linkSecret, roomIdBytes(this.roomId));
    const hostCredential = loadHostCredential(this.roomId);
    this.#credential = hostCredential ?? toBase64Url(keys.accessToken);
    if (hostCredential !== undefined) this.shareLink = shareableLink(this.roomId, link.fragment);

    const status = await roomStatus(this.roomId, this.#credential);
    if (this.#disposed) return;
    if (status.kind === 'not-found') return this.#dispatch({ type: 'blocked', reason: 'not-found' });
    if (status.kind === 'forbidden') return this.#dispatch({ type: 'blocked', reason: 'wrong-link' });
    if (status.kind === 'error') return this.#dispatch({ type: 'blocked', reason: 'unreachable' });
    if (hostCredential === undefined && status.status.full) return this.#dispatch({ type: 'blocked', reason: 'full' });
    if (hostCredential === undefined && status.status.locked) return this.#dispatch({ type: 'blocked', reason: 'locked' });
    this.locked = status.status.locked;
    this.#readInfo(keys.roomInfoKey, status.status.info);

    const signaling = new SignalingClient(this.roomId, this.#credential, (statement) => (hostKey === null ? Promise.resolve(null) : hostKey.sign(statement)));
    const seat = { room: roomContext(roomIdBytes(this.roomId), link.fragment), self: { identity, roomKey }, life };
    this.secure = new SecureRoom(seat, this.#media, signaling, {
      removed: () => this.#dispatch({ type: 'blocked', reason: 'removed' }),
      ended: () => this.#dispatch({ type: 'blocked', reason: 'ended' }),
    }, { genesis: { createdBefore: () => roomCreatedHere(this.roomId), markCreated: () => markRoomCreated(this.roomId) }, ...(hostKey !== null ? { hostKey } : {}) });
    // Knocks are checked against this profile's verified contacts (host-desk.ts flags); a profile
    // whose contacts cannot be read checks them against members and other knocks only.
    void loadContacts().then((contacts) => this.secure?.core.host.setContacts(contacts), () => undefined);
    signaling.onMessage((message) => this.#receive(message));
    signaling.onClose((reason) => void this.#closed(reason));
    this.chat = new Chat(this.secure);
    this.presence = new MediaPresence(this.secure, this.media);
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
    if (this.nameTooLong) return;
    this.#dispatch({ type: 'knock' });
  }

  /** Host: open the room (its first signed commit) and join the call. */
  startCall(): void {
    if (this.nameTooLong) return;
    this.secure?.host.start(this.#ownName());
    this.#dispatch({ type: 'start' });
  }

  admit(ids: readonly string[]): void {
    this.secure?.host.admit(ids);
  }

  /** Admit every knock that carries no warning; a flagged knock is admitted on its own. */
  admitAll(): void {
    this.secure?.host.admitUnflagged();
  }

  /** The name field holds more than a name may (crypto/'s MAX_NAME_CHARS characters), or undefined. */
  get nameTooLong(): { readonly count: number; readonly max: number } | undefined {
    return nameTooLong(this.displayName);
  }

  /** The code the host sees beside this guest's knock (crypto/knock-code.ts), from its own keys. */
  get ownKnockCode(): string | undefined {
    return this.secure?.membership.ownKnockCode;
  }

  deny(ids: readonly string[]): void {
    this.secure?.host.deny(ids);
  }

  /** Host: remove members; the next epoch leaves them out. */
  remove(participantIds: readonly string[]): void {
    this.secure?.host.remove(participantIds);
  }

  setLocked(locked: boolean): void {
    this.secure?.host.setLocked(locked);
  }

  /** Host: end the room for everyone. */
  end(): void {
    this.secure?.host.end();
  }

  /** Host: turn away everyone waiting in the lobby (idle sockets holding places included). */
  clearLobby(): void {
    this.secure?.host.clearLobby();
  }

  /** Host: hand the role to a member whose socket is connected now. */
  transferHost(participantId: string): void {
    if (this.present.has(participantId)) this.secure?.host.transfer(participantId);
  }

  #readInfo(roomInfoKey: Uint8Array, sealed: string | undefined): void {
    if (sealed === undefined) return;
    try {
      this.info = openRoomInfo(roomInfoKey, fromBase64Url(sealed));
    } catch {
      this.infoRefused = true;
    }
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
        // The server keeps a knock until the host is there to see it; SecureRoom sends it once per
        // session, as soon as the host's key is verified from the commit log.
        if (after.seat === 'guest' && after.knocked) this.secure?.knock(this.#ownName());
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
    const call = this.call ?? new CallSession(this.media, () => this.#grants.request(), (receiver, participant) => this.#media?.bindReceiver(receiver, participant));
    this.call = call;
    void call.startAudio().catch(() => undefined);
    let grant = this.#grant;
    this.#grant = undefined;
    try {
      grant ??= await this.#grants.request();
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
    this.#grants.settle(new Error('left the room'));
    this.#dropCall();
    this.presence?.dispose();
    this.#media?.stop();
    this.signaling?.close();
    this.media.stop();
    if (this.state.kind === 'blocked' && (this.state.reason === 'removed' || this.state.reason === 'ended')) {
      void forgetRoomKey(this.roomId).catch(() => undefined);
      void forgetRoomHostKey(this.roomId).catch(() => undefined);
      forgetHostCredential(this.roomId);
    }
  }

  // --- signaling

  #receive(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.participantId = message.participantId;
        this.locked = message.locked;
        this.#dispatch({ type: 'welcome', role: message.role, hostPresent: message.hostPresent });
        this.secure?.welcomed(message.participantId);
        this.#grants.reconnected();
        break;
      case 'commits':
        // Commits on a socket that was never welcomed: the server's proof of a removal before its 4403.
        if (this.signaling?.open !== true) {
          this.secure?.readRevocation(message.commits);
          break;
        }
        this.secure?.receive(message);
        this.#hostReadiness();
        break;
      case 'knock':
      case 'commit':
      case 'lobby':
      case 'left':
      case 'relay':
      case 'ack':
      case 'host-keys':
      case 'handed-over':
        this.secure?.receive(message);
        this.#hostReadiness();
        break;
      case 'admitted':
        this.#grant = message.livekit;
        this.#dispatch({ type: 'admitted' });
        break;
      case 'token':
        this.#grants.settle(message.livekit);
        break;
      case 'presence':
        this.hostId = message.host;
        this.present = new Set(message.members);
        this.#hostReadiness();
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
        this.secure?.receive(message);
        this.#serverError(message.code, message.ref);
        break;
    }
  }

  /** A guest waits for the host until the host is connected AND has opened the room (epoch 0). */
  #hostReadiness(): void {
    if (this.state.kind !== 'lobby' || this.state.seat !== 'guest') return;
    this.#dispatch({ type: 'host-present', present: this.hostId !== null && (this.secure?.membership.hostKnown ?? false) });
  }

  #serverError(code: ErrorCode, ref: string | undefined): void {
    const inLobby = this.state.kind === 'lobby' && this.state.seat === 'guest';
    if (ref === 'token') this.#grants.settle(new Error(`token refused: ${code}`));
    if (inLobby && code === ErrorCode.roomFull) this.#dispatch({ type: 'blocked', reason: 'full' });
    else if (inLobby && code === ErrorCode.roomLocked) this.#dispatch({ type: 'blocked', reason: 'locked' });
    else if (inLobby && code === ErrorCode.lobbyFull) this.#dispatch({ type: 'blocked', reason: 'lobby-full' });
    else if (inLobby && code === ErrorCode.hostAbsent) this.#dispatch({ type: 'host-present', present: false });
    else console.warn(`room: server error ${code}${ref ? ` (answering ${ref})` : ''}`);
  }

  async #closed(reason: CloseReason): Promise<void> {
    if (reason === 'left') return;
    // [D1] 4403 / 4410 end this page (and delete its keys) only with the signed commit that says so.
    if (reason === 'removed' || reason === 'ended') {
      const departure = this.secure?.departure() ?? 'server-closed';
      return this.#dispatch({ type: 'blocked', reason: departure });
    }
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
}

function loadName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}
