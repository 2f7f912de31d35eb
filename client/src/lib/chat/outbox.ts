// Chat lines this page wrote that the server has not acknowledged yet. The server acknowledges a
// relay sent with an id once it has fanned it out. A line whose socket dropped before its ack may
// or may not have gone out, so each one left is sent again, in the order written, once a new
// socket is welcomed; receivers show it once by its message id. Each attempt gets a fresh random
// relay id, so the server cannot tell a resend from a new line. The body is sealed at each attempt
// (by `send`), so a resend goes out under the epoch current then.
import { toBase64Url } from '../../../../crypto/index';

/** Seal and relay `body` to everyone with this relay id; false if nothing went out (offline, not a member). */
export type RelaySend = (body: Uint8Array, relayId: string) => boolean;

interface Pending {
  readonly messageId: string;
  readonly body: Uint8Array;
  /** The relay id of the attempt on the current socket; undefined while not sent on it. */
  relayId: string | undefined;
}

export class Outbox {
  readonly #send: RelaySend;
  readonly #newRelayId: () => string;
  #pending: Pending[] = [];

  constructor(send: RelaySend, newRelayId: () => string = randomRelayId) {
    this.#send = send;
    this.#newRelayId = newRelayId;
  }

  /** Lines not yet acknowledged. */
  get size(): number {
    return this.#pending.length;
  }

  /** Keep a line until it is acknowledged, and send what can be sent now, oldest first. */
  add(messageId: string, body: Uint8Array): void {
    this.#pending.push({ messageId, body, relayId: undefined });
    this.#flush();
  }

  /** The server fanned out the relay with this id: the line's message id, or undefined if not ours. */
  acked(relayId: string): string | undefined {
    const done = this.#pending.find((p) => p.relayId === relayId);
    if (done === undefined) return undefined;
    this.#pending = this.#pending.filter((p) => p !== done);
    return done.messageId;
  }

  /** A new socket was welcomed: no ack can come for what was sent on the old one, so send it all again. */
  reconnected(): void {
    for (const p of this.#pending) p.relayId = undefined;
    this.#flush();
  }

  #flush(): void {
    for (const p of this.#pending) {
      if (p.relayId !== undefined) continue;
      const relayId = this.#newRelayId();
      if (!this.#send(p.body, relayId)) return; // keep the order: later lines wait too
      p.relayId = relayId;
    }
  }
}

function randomRelayId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(12)));
}
