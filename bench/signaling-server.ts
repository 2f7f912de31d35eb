// The signaling server of `npm run bench -- signaling`, in a child process of its own so that it
// has a core to itself and the load client's work is not counted as the server's. LiveKit is named
// but not running (grants are signed tokens minted offline; nothing here joins the SFU). The limits a
// load from one loopback machine would trip (room creations per address) are lifted; every other
// limit is the product's. Reports its port, then CPU and memory on request, over IPC.
import { startServer } from '../server/app';
import { loadConfig } from '../server/config';

interface Ask {
  readonly type: 'usage' | 'stop';
}

const liveKit = { LIVEKIT_URL: 'ws://127.0.0.1:9', LIVEKIT_API_KEY: 'bench-key', LIVEKIT_API_SECRET: 'bench-secret-that-is-long-enough-for-hs256', LIVEKIT_LOCAL: 'true' };
const config = { ...loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...liveKit }), roomCreatesPerMinutePerIp: 1_000_000 };
process.on('disconnect', () => process.exit(0)); // the load client went away
const server = await startServer(config);
const send = (message: unknown) => process.send?.(message);
send({ type: 'ready', port: server.port });

process.on('message', (ask: Ask) => {
  if (ask.type === 'usage') {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    send({ type: 'usage', cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed, at: performance.now() });
  } else {
    void server.close().then(() => process.exit(0));
  }
});
