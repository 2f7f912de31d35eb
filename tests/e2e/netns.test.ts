// The e2e run lives in a network namespace that holds only loopback, so nothing it sends can leave the host.
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { interfacesInThisNamespace, loopbackIPv4 } from './harness/netns';

/** Connects and reports how it ended: an errno code, 'connected', or no answer before the deadline. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(5_000, () => {
      socket.destroy();
      resolve('no answer within 5 s');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('the e2e network namespace', () => {
  it('holds no interface but lo, which carries 127.0.0.1', () => {
    expect(interfacesInThisNamespace()).toEqual(['lo']);
    expect(Object.keys(networkInterfaces())).toEqual(['lo']);
    expect(loopbackIPv4()).toContain('127.0.0.1');
  });

  it('refuses a TCP connection to a TEST-NET address at once, with ENETUNREACH', async () => {
    expect(await tryConnect('192.0.2.1', 9)).toBe('ENETUNREACH');
  });
});
