// Free loopback ports for LiveKit nodes started side by side (tests, a local cluster): each port is
// one the kernel just handed out for both TCP and UDP on 127.0.0.1, then released. Another process
// may take it in between; startLiveKit refuses a busy HTTP port, and LiveKit fails to start on a
// busy UDP one, so a race shows up as a clear start error, never as a wrong server answering.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = probe.address();
      const port = address !== null && typeof address !== 'string' ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no TCP port from the kernel'))));
    });
  });
}

function udpPortIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createSocket('udp4');
    probe.once('error', () => {
      probe.close();
      resolve(false);
    });
    probe.bind({ address: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** `count` distinct ports, each free for TCP and UDP on 127.0.0.1 when this returns. */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempts = 0; ports.size < count; attempts++) {
    if (attempts > count * 20) throw new Error(`could not find ${count} free loopback ports`);
    const port = await freeTcpPort();
    if (!ports.has(port) && (await udpPortIsFree(port))) ports.add(port);
  }
  return [...ports];
}
