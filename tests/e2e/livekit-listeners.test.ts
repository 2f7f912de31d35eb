// The LiveKit that `npm start` and the e2e tier run (scripts/livekit/config.ts) accepts packets and
// connections only on loopback: every listening TCP socket and every unconnected UDP socket of the
// process is bound to 127.0.0.0/8 or ::1. LiveKit v1.13.5 binds its ICE/TCP port with no address at
// all (mediatransportutil's rtcconfig: net.ListenTCP("tcp", {Port})), whatever `bind_addresses` says.
import { afterAll, describe, expect, it } from 'vitest';
import { type LiveKitHandle, startLiveKit } from '../../scripts/livekit/process';
import { boundSockets, nonLoopbackListeners } from './harness/listeners';

describe('the embedded LiveKit', () => {
  const started: LiveKitHandle[] = [];
  afterAll(async () => {
    await Promise.all(started.map((l) => l.stop()));
  });

  it('listens on no address but loopback', async () => {
    const livekit = await startLiveKit({ config: { ports: { port: 17880, udpPort: 17882 } } });
    started.push(livekit);
    const sockets = await boundSockets(livekit.pid);
    // The reader sees the process's own sockets: at least its HTTP listener.
    expect(sockets).toContainEqual({ protocol: 'tcp', address: '127.0.0.1', port: 17880, listening: true });
    expect(await nonLoopbackListeners(livekit.pid)).toEqual([]);
  });
});
