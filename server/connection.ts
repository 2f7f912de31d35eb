// One accepted WebSocket: an ordered outbox (grants are minted asynchronously, yet a client sees
// messages in the order the room produced them), heartbeat state, the message budget, and the
// count of invalid messages in a row.
import type { WebSocket } from 'ws';
import type { CloseCode, ServerMessage } from '../protocol/protocol';
import { HOST_MESSAGE_BURST, HOST_MESSAGES_PER_SECOND, MAX_BUFFERED_BYTES, SYNC_BURST, SYNCS_PER_SECOND, WS_MESSAGE_BURST, WS_MESSAGES_PER_SECOND } from '../protocol/limits';
import { TokenBucket } from './rate-limit';


export class Connection {
  /** Cleared on every heartbeat ping, set by the pong. */
  alive = true;
  /** A close was requested: further incoming messages are ignored. */
  closing = false;
  invalidInARow = 0;
  readonly bucket: TokenBucket;
  /** The host's membership messages (admit, remove, commit...): a separate, larger budget. */
  readonly hostBucket: TokenBucket;
  /** `sync` requests: each answer can be large, so they have a small budget of their own. */
  readonly syncBucket: TokenBucket;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    readonly ws: WebSocket,
    readonly roomId: string,
    readonly participantId: string,
    now: number,
    private readonly onOverflow: (c: Connection) => void,
  ) {
    this.bucket = new TokenBucket(WS_MESSAGES_PER_SECOND, WS_MESSAGE_BURST, now);
    this.hostBucket = new TokenBucket(HOST_MESSAGES_PER_SECOND, HOST_MESSAGE_BURST, now);
    this.syncBucket = new TokenBucket(SYNCS_PER_SECOND, SYNC_BURST, now);
  }

  send(message: ServerMessage): void {
    this.enqueue(() => this.write(JSON.stringify(message)));
  }

  /** Send a message already serialized (a relay fanned out to many is serialized once, server/hub.ts). */
  sendEncoded(text: string): void {
    this.enqueue(() => this.write(text));
  }

  /** Send a message that is still being produced, keeping its place in the order. Must not reject. */
  sendLater(message: Promise<ServerMessage>): void {
    this.enqueue(async () => this.write(JSON.stringify(await message)), true);
  }

  /** Close after everything queued before it. */
  close(code: CloseCode, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.enqueue(() => this.ws.close(code, reason));
  }

  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }

  private enqueue(step: () => void | Promise<void>, async = false): void {
    if (this.pending === 0 && !async) {
      step();
      return;
    }
    this.pending++;
    this.chain = this.chain
      .then(step)
      .catch(() => undefined)
      .finally(() => {
        this.pending--;
      });
  }

  private write(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(text);
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) this.onOverflow(this);
  }
}
