// server/connection.ts: the ordered outbox and the guard against peers that never read.
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../protocol/protocol';
import { MAX_BUFFERED_BYTES } from '../../protocol/limits';
import { Connection } from '../../server/connection';

function fakeSocket() {
  const log: string[] = [];
  const ws = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send: (text: string) => log.push(JSON.parse(text).type as string),
    close(code: number) {
      log.push(`close ${code}`);
      this.readyState = 2;
    },
    terminate: () => log.push('terminate'),
  };
  return { ws, log };
}

const ack = (id: string): ServerMessage => ({ v: 1, type: 'ack', id });

describe('connection outbox', () => {
  it('keeps messages queued behind an asynchronous one in order, and closes last', async () => {
    const { ws, log } = fakeSocket();
    const c = new Connection(ws as unknown as WebSocket, 'r', 'p', 0, () => undefined);
    let release: (m: ServerMessage) => void = () => undefined;
    c.send(ack('1'));
    c.sendLater(new Promise<ServerMessage>((resolve) => (release = resolve)));
    c.send(ack('3'));
    c.close(4403, 'removed');
    expect(log).toEqual(['ack']);
    release({ v: 1, type: 'locked', locked: true });
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['ack', 'locked', 'ack', 'close 4403']);
    c.send(ack('4'));
    expect(log).toHaveLength(4); // nothing is written to a socket that is no longer open
  });

  it('reports a peer that lets more than the buffer limit pile up', () => {
    const { ws } = fakeSocket();
    const overflowed: Connection[] = [];
    const c = new Connection(ws as unknown as WebSocket, 'r', 'p', 0, (conn) => overflowed.push(conn));
    c.send(ack('1'));
    expect(overflowed).toEqual([]);
    ws.bufferedAmount = MAX_BUFFERED_BYTES + 1;
    c.send(ack('2'));
    expect(overflowed).toEqual([c]);
  });
});
