// The signaling WebSocket. Authenticates with subprotocols (wsSubprotocols: no credential in the
// URL), parses every frame once with parseServerMessage (invalid frames are dropped and counted,
// never thrown), sends typed messages, and reconnects with backoff, resuming the same participant
// with the latest resume token (kept in this tab's sessionStorage, so a reload resumes too). A
// refused resume keeps the token until the server says it is gone (reconnect-decision.ts): during
// a room's takeover by another node the refusal is only a wait.
// A connection that would hold the host role first gets a `challenge`; the prover (the room's
// per-room host key, storage/host-key-store.ts) signs it and nothing else is read until the welcome.
// Close codes become user-facing reasons; 4403 and 4410 are only what the server says: the room
// controller believes them only with the signed commit (Session.departure, [D1]).
import { fromBase64Url, hostProofMessage, roomIdBytes, toBase64Url } from '../../../crypto/index';
import { type Outgoing } from './session/channel';
import { roomStatus } from './api';
import { afterAnswer, afterClose, type CloseReason, type CloseStep, type ResumeAnswer } from './reconnect-decision';
import {
  ClientMessage,
  CloseCode,
  parseServerMessage,
  PROTOCOL_VERSION,
  wsPath,
  wsSubprotocols,
  type ServerMessage,
} from '../../../protocol/protocol';

export type SignalingStatus =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting' }
  | { readonly kind: 'open' }
  | { readonly kind: 'reconnecting'; readonly attempt: number }
  | { readonly kind: 'closed'; readonly reason: CloseReason; readonly code: number };

type Welcome = Extract<ServerMessage, { type: 'welcome' }>;
export type { CloseReason, Outgoing };
export type MessageHandler = (message: ServerMessage) => void;
export type CloseHandler = (reason: CloseReason, code: number) => void;

const RESUME_PREFIX = 'sealroom.resume.';

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
const MAX_ATTEMPTS = 12;

/** Signs a host challenge message with this page's per-room host key; null without one. */
export type Prover = (message: Uint8Array) => Promise<Uint8Array | null>;

/** Asks the server whether a resume token still opens the room (reconnect-decision.ts). */
export type ResumeCheck = (roomId: string, resumeToken: string) => Promise<ResumeAnswer>;

const askServer: ResumeCheck = async (roomId, resumeToken) => {
  const status = await roomStatus(roomId, resumeToken);
  return status.kind === 'ok' ? 'valid' : status.kind === 'forbidden' ? 'unknown' : status.kind === 'not-found' ? 'no-room' : 'unreachable';
};

export class SignalingClient {
  status = $state.raw<SignalingStatus>({ kind: 'idle' });
  /** The latest welcome (participant id, role) of the current session. */
  welcome = $state.raw<Welcome | undefined>(undefined);

  readonly #roomId: string;
  #credential: string;
  #resumeToken: string | undefined;
  #socket: WebSocket | undefined;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #handlers = new Set<MessageHandler>();
  #closeHandlers = new Set<CloseHandler>();
  #welcomed = false;
  readonly #prove: Prover;
  readonly #check: ResumeCheck;

  constructor(roomId: string, credential: string, prove: Prover = () => Promise.resolve(null), check: ResumeCheck = askServer) {
    this.#roomId = roomId;
    this.#credential = credential;
    this.#prove = prove;
    this.#check = check;
    this.#resumeToken = readResume(roomId);
  }

  onMessage(handler: MessageHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Called once, when the socket is closed for good. */
  onClose(handler: CloseHandler): () => void {
    this.#closeHandlers.add(handler);
    return () => this.#closeHandlers.delete(handler);
  }

  /** Replace the credential used when no resume is possible (after becoming host). */
  setCredential(credential: string): void {
    this.#credential = credential;
  }

  connect(): void {
    if (this.status.kind === 'connecting' || this.status.kind === 'open') return;
    this.#attempt = 0;
    this.#open();
  }

  /** The socket is open and welcomed: a send now reaches the server. */
  get open(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN && this.#welcomed;
  }

  /** Send one message. Returns false (and sends nothing) if the socket is not open or it is invalid. */
  send(message: Outgoing): boolean {
    const socket = this.#socket;
    if (!socket || !this.open) return false;
    const full = ClientMessage.safeParse({ ...message, v: PROTOCOL_VERSION });
    if (!full.success) {
      console.warn(`signaling: refusing to send an invalid ${message.type} message`);
      return false;
    }
    socket.send(JSON.stringify(full.data));
    return true;
  }

  /** Close for good (leaving). */
  close(): void {
    this.#finish('left', CloseCode.normal);
  }

  #open(): void {
    clearTimeout(this.#timer);
    this.#welcomed = false;
    const credential = this.#resumeToken ?? this.#credential;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    let socket: WebSocket;
    try {
      socket = new WebSocket(`${scheme}://${location.host}${wsPath(this.#roomId)}`, wsSubprotocols(credential));
    } catch {
      this.#retry();
      return;
    }
    this.#socket = socket;
    if (this.status.kind !== 'reconnecting') this.status = { kind: 'connecting' };
    socket.onmessage = (event) => {
      if (this.#socket === socket) this.#receive(event.data);
    };
    socket.onclose = (event) => {
      if (this.#socket === socket) this.#closed(event.code);
    };
  }

  #receive(data: unknown): void {
    // A frame that is not a server message is dropped; it carries no key and changes no state.
    if (typeof data !== 'string') {
      console.warn('signaling: dropped a binary frame');
      return;
    }
    const parsed = parseServerMessage(data);
    if (!parsed.ok) {
      console.warn(`signaling: dropped an invalid frame (${parsed.code})`);
      return;
    }
    const message = parsed.message;
    if (message.type === 'challenge' && !this.#welcomed) {
      void this.#answer(message.nonce);
      return;
    }
    if (message.type === 'welcome') {
      this.#welcomed = true;
      this.#attempt = 0;
      this.#resumeToken = message.resumeToken;
      writeResume(this.#roomId, message.resumeToken);
      this.welcome = message;
      this.status = { kind: 'open' };
    } else if (!this.#welcomed && message.type !== 'commits') {
      // Before the welcome only signed commits pass: a removed member's proof of its removal ([D1]).
      console.warn(`signaling: dropped a ${message.type} before the welcome`);
      return;
    } else if (message.type === 'host') {
      this.#credential = message.hostCredential;
    }
    for (const handler of this.#handlers) {
      try {
        handler(message);
      } catch (error) {
        console.error('signaling: a message handler failed', error);
      }
    }
  }

  /** Sign the host challenge on the socket it came on; without a key, close it (the server would, with 4407). */
  async #answer(nonce: string): Promise<void> {
    const socket = this.#socket;
    let signature: Uint8Array | null;
    try {
      signature = await this.#prove(hostProofMessage(roomIdBytes(this.#roomId), fromBase64Url(nonce)));
    } catch {
      signature = null;
    }
    if (socket === undefined || socket !== this.#socket || socket.readyState !== WebSocket.OPEN) return;
    if (signature === null) {
      this.#finish('unproven', CloseCode.unproven);
      return;
    }
    socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'prove', signature: toBase64Url(signature) }));
  }

  #closed(code: number): void {
    this.#socket = undefined;
    const resumeToken = this.#resumeToken;
    const step = afterClose(code, { welcomed: this.#welcomed, resuming: resumeToken !== undefined, everWelcomed: this.welcome !== undefined });
    if (step.kind !== 'ask' || resumeToken === undefined) {
      this.#take(step, code);
      return;
    }
    // A refused resume looks like a node that is down or taking the room over: only the server's
    // answer about the token ends it. Until it comes the status says reconnecting.
    this.status = { kind: 'reconnecting', attempt: this.#attempt + 1 };
    void this.#check(this.#roomId, resumeToken)
      .catch((): ResumeAnswer => 'unreachable')
      .then((answer) => {
        // Closed for good, or reconnected by connect(), while the answer was on its way.
        if (this.status.kind === 'closed' || this.#socket !== undefined || this.#resumeToken !== resumeToken) return;
        this.#take(afterAnswer(answer), code);
      });
  }

  #take(step: CloseStep, code: number): void {
    if (step.kind === 'finish') return this.#finish(step.reason, code);
    if (step.kind === 'start-over') this.#forgetResume();
    this.#retry();
  }

  #retry(): void {
    if (this.status.kind === 'closed') return;
    this.#attempt++;
    if (this.#attempt > MAX_ATTEMPTS) {
      this.#finish('gave-up', 0);
      return;
    }
    this.status = { kind: 'reconnecting', attempt: this.#attempt };
    const base = BACKOFF_MS[Math.min(this.#attempt - 1, BACKOFF_MS.length - 1)] ?? 15000;
    this.#timer = setTimeout(() => this.#open(), base / 2 + Math.random() * base);
  }

  #forgetResume(): void {
    this.#resumeToken = undefined;
    writeResume(this.#roomId, undefined);
  }

  #finish(reason: CloseReason, code: number): void {
    clearTimeout(this.#timer);
    this.#forgetResume();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#welcomed = false;
    if (socket && socket.readyState < WebSocket.CLOSING) socket.close(CloseCode.normal);
    if (this.status.kind === 'closed') return;
    this.status = { kind: 'closed', reason, code };
    for (const handler of this.#closeHandlers) handler(reason, code);
  }
}

function readResume(roomId: string): string | undefined {
  try {
    return sessionStorage.getItem(RESUME_PREFIX + roomId) ?? undefined;
  } catch {
    return undefined;
  }
}

function writeResume(roomId: string, token: string | undefined): void {
  try {
    if (token === undefined) sessionStorage.removeItem(RESUME_PREFIX + roomId);
    else sessionStorage.setItem(RESUME_PREFIX + roomId, token);
  } catch {
    // Without storage a reload starts a new session; reconnects within the page still resume.
  }
}
