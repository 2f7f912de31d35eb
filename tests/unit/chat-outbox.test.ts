// The chat's resend logic against a fake relay: only the channel is mocked. The fake server acks
// what it fans out, on the socket it came in on; the test drops sockets, acks and whole messages.
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../crypto/index';
import { decodeChatBody, encodeChatBody, MESSAGE_ID_BYTES } from '../../client/src/lib/chat/chat-body';
import { ChatLog } from '../../client/src/lib/chat/chat-log';
import { Outbox } from '../../client/src/lib/chat/outbox';

interface Relayed {
  readonly relayId: string;
  readonly body: Uint8Array;
  /** The epoch it was sealed under: the channel's epoch at the moment of sending. */
  readonly epoch: number;
  readonly seq: bigint;
}

/** One sender's socket to a fake server, and what the server fanned out to a receiver. */
class FakeChannel {
  open = true;
  epoch = 1;
  /** What reaches the server (and so the receiver), in order. */
  readonly delivered: Relayed[] = [];
  /** Acks the server sent back on the current socket and the sender has not read yet. */
  acks: string[] = [];
  /** The server still fans out, but its acks are lost. */
  dropAcks = false;
  /** Nothing sent reaches the server (the socket is dead but does not know it yet). */
  blackhole = false;
  #seq = 100n;

  send = (body: Uint8Array, relayId: string): boolean => {
    if (!this.open) return false;
    const relayed = { relayId, body, epoch: this.epoch, seq: ++this.#seq };
    if (this.blackhole) return true;
    this.delivered.push(relayed);
    if (!this.dropAcks) this.acks.push(relayId);
    return true;
  };

  /** The socket drops: acks in flight are gone with it. */
  drop(): void {
    this.open = false;
    this.acks = [];
  }

  /** A new socket is welcomed. */
  back(): void {
    this.open = true;
    this.dropAcks = false;
    this.blackhole = false;
  }
}

let counter = 0;
const relayIds = (): string => `r${++counter}`;
const messageId = (n: number): Uint8Array => new Uint8Array(MESSAGE_ID_BYTES).fill(n);
const lineBody = (n: number): Uint8Array => encodeChatBody({ messageId: messageId(n), text: `line ${n}` });
const idOf = (n: number): string => toBase64Url(messageId(n));

function readAcks(outbox: Outbox, channel: FakeChannel): string[] {
  const done = channel.acks.map((a) => outbox.acked(a)).filter((m) => m !== undefined);
  channel.acks = [];
  return done;
}

/** What a receiver shows of the channel's deliveries: ChatLog de-duplicates by (sender, message id). */
function shown(channel: FakeChannel): string[] {
  const log = new ChatLog();
  for (const r of channel.delivered) {
    const body = decodeChatBody(r.body);
    log.receive({ sender: 'alice', messageId: toBase64Url(body.messageId), seq: r.seq, name: 'Alice', text: body.text });
  }
  return log.lines.map((l) => l.text);
}

describe('chat outbox', () => {
  it('keeps a line until the server acknowledges it, and ignores acks of other relays', () => {
    const channel = new FakeChannel();
    const outbox = new Outbox(channel.send, relayIds);
    channel.dropAcks = true;
    outbox.add(idOf(1), lineBody(1));
    channel.dropAcks = false;
    outbox.add(idOf(2), lineBody(2));
    expect(outbox.size).toBe(2);
    expect(outbox.acked('someone-else')).toBeUndefined();
    expect(readAcks(outbox, channel)).toEqual([idOf(2)]);
    expect(outbox.size).toBe(1);
  });

  it('sends lines written while offline once the socket is back, in the order written', () => {
    const channel = new FakeChannel();
    const outbox = new Outbox(channel.send, relayIds);
    channel.drop();
    outbox.add(idOf(1), lineBody(1));
    outbox.add(idOf(2), lineBody(2));
    expect(channel.delivered).toHaveLength(0);
    channel.back();
    outbox.reconnected();
    expect(readAcks(outbox, channel)).toEqual([idOf(1), idOf(2)]);
    expect(shown(channel)).toEqual(['line 1', 'line 2']);
    expect(outbox.size).toBe(0);
  });

  it('never lets a later line overtake one that could not be sent', () => {
    const channel = new FakeChannel();
    let refuse = true;
    const outbox = new Outbox((body, id) => !refuse && channel.send(body, id), relayIds);
    outbox.add(idOf(1), lineBody(1)); // e.g. no epoch key yet
    refuse = false;
    outbox.add(idOf(2), lineBody(2));
    expect(shown(channel)).toEqual(['line 1', 'line 2']);
  });

  it('resends, under the epoch current then, a line whose socket died before it reached the server', () => {
    const channel = new FakeChannel();
    const outbox = new Outbox(channel.send, relayIds);
    channel.blackhole = true;
    outbox.add(idOf(1), lineBody(1));
    expect(channel.delivered).toHaveLength(0);
    channel.drop();
    channel.epoch = 2; // a commit happened while away
    channel.back();
    outbox.reconnected();
    expect(channel.delivered.map((r) => r.epoch)).toEqual([2]);
    expect(readAcks(outbox, channel)).toEqual([idOf(1)]);
    expect(shown(channel)).toEqual(['line 1']);
  });

  it('resends a line that went out but whose ack was lost; the receiver shows it exactly once', () => {
    const channel = new FakeChannel();
    const outbox = new Outbox(channel.send, relayIds);
    outbox.add(idOf(1), lineBody(1));
    channel.dropAcks = true;
    outbox.add(idOf(2), lineBody(2)); // fanned out, ack lost
    channel.blackhole = true;
    outbox.add(idOf(3), lineBody(3)); // lost on the way
    expect(readAcks(outbox, channel)).toEqual([idOf(1)]);
    channel.drop();
    channel.back();
    outbox.reconnected();
    expect(readAcks(outbox, channel)).toEqual([idOf(2), idOf(3)]);
    expect(channel.delivered.map((r) => decodeChatBody(r.body).text)).toEqual(['line 1', 'line 2', 'line 2', 'line 3']);
    // Each attempt has its own relay id, so the server cannot link a resend to the first try.
    expect(new Set(channel.delivered.map((r) => r.relayId)).size).toBe(4);
    expect(shown(channel)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(outbox.size).toBe(0);
  });

  it('ignores a late ack for an attempt made on a socket that has since been replaced', () => {
    const channel = new FakeChannel();
    const outbox = new Outbox(channel.send, relayIds);
    channel.dropAcks = true;
    outbox.add(idOf(1), lineBody(1));
    const firstAttempt = channel.delivered[0]!.relayId;
    channel.drop();
    channel.back();
    channel.dropAcks = true;
    outbox.reconnected();
    expect(outbox.acked(firstAttempt)).toBeUndefined();
    expect(outbox.size).toBe(1);
  });
});
