import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatLog, MAX_LINES, type Received } from '../../client/src/lib/chat/chat-log';

const line = (sender: string, messageId: string, seq: bigint, text = `${sender}:${messageId}`): Received => ({ sender, messageId, seq, name: sender.toUpperCase(), text });
const texts = (log: ChatLog): string[] => log.lines.map((l) => l.text);

describe('chat log', () => {
  it("shows a sender's message id once, however often it arrives, and keeps senders apart", () => {
    const log = new ChatLog();
    expect(log.receive(line('bob', 'm1', 10n))).toBe(true);
    const before = log.lines;
    expect(log.receive(line('bob', 'm1', 12n, 'resent'))).toBe(false);
    expect(log.lines).toBe(before); // nothing changed
    expect(log.receive(line('carol', 'm1', 11n))).toBe(true); // the same id from someone else is another line
    expect(texts(log)).toEqual(['bob:m1', 'carol:m1']);
    expect(log.lines.map((l) => l.name)).toEqual(['BOB', 'CAROL']);
  });

  it("puts each sender's lines in seq order, and leaves other senders' lines in arrival order", () => {
    const log = new ChatLog();
    log.receive(line('bob', 'b7', 7n));
    log.receive(line('carol', 'c1', 1n));
    log.receive(line('bob', 'b9', 9n));
    log.receive(line('bob', 'b5', 5n)); // late: goes before bob's seq 7
    log.receive(line('carol', 'c2', 2n));
    expect(texts(log)).toEqual(['bob:b5', 'bob:b7', 'carol:c1', 'bob:b9', 'carol:c2']);
  });

  it('marks own lines, sending until acknowledged', () => {
    const log = new ChatLog();
    log.own('m1', 'Alice', 'hi');
    log.receive(line('bob', 'm1', 1n));
    expect(log.lines.map((l) => [l.text, l.own, l.status])).toEqual([
      ['hi', true, 'sending'],
      ['bob:m1', false, 'received'],
    ]);
    log.sent('m1');
    expect(log.lines.map((l) => l.status)).toEqual(['sent', 'received']);
  });

  it(`keeps the last ${MAX_LINES} lines, and still refuses a line that scrolled away`, () => {
    const log = new ChatLog();
    for (let i = 0; i < MAX_LINES + 5; i++) log.receive(line('bob', `m${i}`, BigInt(i)));
    expect(log.lines).toHaveLength(MAX_LINES);
    expect(log.lines[0]!.text).toBe('bob:m5');
    expect(log.receive(line('bob', 'm0', BigInt(MAX_LINES + 10)))).toBe(false);
  });

  it('for any arrival order with repeats: every line once, each sender in seq order', () => {
    const arrival = fc.array(fc.record({ sender: fc.constantFrom('a', 'b', 'c'), n: fc.integer({ min: 0, max: 20 }) }), { maxLength: 80 });
    fc.assert(
      fc.property(arrival, (events) => {
        const log = new ChatLog();
        // Message id n carries seq n; a repeated id is a duplicate delivery.
        for (const e of events) log.receive(line(e.sender, `m${e.n}`, BigInt(e.n)));
        const shown = log.lines.map((l) => l.text);
        expect(new Set(shown).size).toBe(shown.length);
        expect(new Set(shown)).toEqual(new Set(events.map((e) => `${e.sender}:m${e.n}`)));
        for (const sender of ['a', 'b', 'c']) {
          const seqs = shown.filter((t) => t.startsWith(`${sender}:`)).map((t) => Number(t.slice(3)));
          expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        }
      }),
    );
  });
});
