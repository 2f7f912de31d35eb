// server/shutdown.ts: the first signal closes gracefully and exits 0; a second forces exit 1.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log';
import { installShutdown } from '../../server/shutdown';

function setup(close: () => Promise<void>) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  let closes = 0;
  installShutdown(
    {
      close: () => {
        closes++;
        return close();
      },
    },
    createLogger('silent'),
    signals,
    (c) => exits.push(c),
  );
  return { signals, exits, closes: () => closes };
}

describe('shutdown', () => {
  it.each(['SIGINT', 'SIGTERM'])('closes the server on %s and exits 0', async (signal) => {
    const s = setup(() => Promise.resolve());
    s.signals.emit(signal);
    await new Promise((r) => setImmediate(r));
    expect(s.closes()).toBe(1);
    expect(s.exits).toEqual([0]);
  });

  it('forces exit 1 on a second signal while closing', () => {
    const s = setup(() => new Promise(() => undefined));
    s.signals.emit('SIGTERM');
    s.signals.emit('SIGINT');
    expect(s.closes()).toBe(1);
    expect(s.exits).toEqual([1]);
  });

  it('exits 1 when closing fails', async () => {
    const s = setup(() => Promise.reject(new Error('boom')));
    s.signals.emit('SIGINT');
    await new Promise((r) => setImmediate(r));
    expect(s.exits).toEqual([1]);
  });
});
