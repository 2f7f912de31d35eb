// tests/e2e/harness/listeners.ts reads a process's sockets from /proc/<pid>/net/*: the parser on
// real rows (taken from this machine's /proc/net/tcp, tcp6 and udp), and what counts as loopback.
import { describe, expect, it } from 'vitest';
import { isLoopback, parseProcNet } from '../e2e/harness/listeners';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const TCP = [
  HEADER,
  '   0: 0100007F:1EC8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0',
  '   1: 00000000:1EC9 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 100 0 0 10 0',
  '   2: 0100007F:1EC8 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1',
  '   3: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9999 1 0000000000000000 100 0 0 10 0',
].join('\n');
const TCP6 = [
  HEADER,
  '   0: 00000000000000000000000000000000:1EC9 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0',
  '   1: 00000000000000000000000001000000:1EC8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 100 0 0 10 0',
].join('\n');
const UDP = [
  HEADER,
  '   0: 0100007F:1ECA 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3001 2 0000000000000000 0',
  '   1: 0100007F:E2F1 0100007F:1ECA 01 00000000:00000000 00:00000000 00000000     0        0 3002 2 0000000000000000 0',
].join('\n');

describe('the /proc/net reader', () => {
  it("decodes addresses, ports and listening state, and keeps only the process's own inodes", () => {
    const own = new Set(['1001', '1002', '1003']);
    expect(parseProcNet(TCP, 'tcp', own)).toEqual([
      { protocol: 'tcp', address: '127.0.0.1', port: 7880, listening: true },
      { protocol: 'tcp', address: '0.0.0.0', port: 7881, listening: true },
      { protocol: 'tcp', address: '127.0.0.1', port: 7880, listening: false },
    ]);
  });

  it('decodes IPv6 rows, the unspecified address and ::1', () => {
    expect(parseProcNet(TCP6, 'tcp', new Set(['2001', '2002'])).map((s) => s.address)).toEqual([
      '0000:0000:0000:0000:0000:0000:0000:0000',
      '0000:0000:0000:0000:0000:0000:0000:0001',
    ]);
  });

  it('counts an unconnected UDP socket as listening and a connected one as not', () => {
    expect(parseProcNet(UDP, 'udp', new Set(['3001', '3002'])).map((s) => [s.port, s.listening])).toEqual([
      [7882, true],
      [58097, false],
    ]);
  });

  it('takes 127.0.0.0/8, ::1 and ::ffff:127.x as loopback, and nothing else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '0000:0000:0000:0000:0000:0000:0000:0001', '0000:0000:0000:0000:0000:ffff:7f00:0001']) expect(isLoopback(a)).toBe(true);
    for (const a of ['0.0.0.0', '10.0.0.1', '0000:0000:0000:0000:0000:0000:0000:0000', '0000:0000:0000:0000:0000:ffff:0a00:0001', '1127.0.0.1']) expect(isLoopback(a)).toBe(false);
  });
});
