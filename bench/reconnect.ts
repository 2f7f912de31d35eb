// Browser benchmark: how long an encrypted two-person call takes to recover from a dropped connection
// (Debian Chromium, real server, loopback LiveKit, inside the namespace bench/run.ts sets up). It runs
// the very call and drops that tests/e2e/reconnect.test.ts checks (tests/e2e/harness/reconnect-call.ts):
//   signaling reset    the guest's signaling socket is reset by a TCP proxy; it reconnects and resumes
//   ICE restart        the guest's LiveKit signal connection is reset; livekit-client resumes
//   fresh join         the same, with LiveKit refusing the resume; Sealroom rejoins with a new token
// For each: "reconnect" is drop → new connection, "decoding" is new connection → both members
// decoding 15 more frames of each other's pattern, "total" is their sum. ROUNDS rounds of each.
import { printLogs } from '../tests/e2e/harness/browser';
import { type Recovery, startReconnectCall } from '../tests/e2e/harness/reconnect-call';
import { type BenchSection } from './section';

const ROUNDS = 3;
const DROPS = ['signaling reset', 'ICE restart', 'fresh join'] as const;
type Drop = (typeof DROPS)[number];

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function run(): Promise<BenchSection> {
  const call = await startReconnectCall();
  const samples = new Map<Drop, Recovery[]>(DROPS.map((d) => [d, []]));
  try {
    await call.start();
    for (let round = 0; round < ROUNDS; round++) {
      const measured: [Drop, Recovery][] = [
        ['signaling reset', await call.resetSignaling()],
        ['ICE restart', await call.resetLiveKit()],
        ['fresh join', await call.refuseLiveKitResume()],
      ];
      for (const [drop, r] of measured) {
        samples.get(drop)!.push(r);
        console.log(`[bench] ${drop}, round ${round + 1}: reconnect ${r.reconnectMs} ms, decoding ${r.decodingMs} ms later`);
      }
    }
  } catch (error) {
    printLogs(call.members);
    throw error;
  } finally {
    await call.close();
  }
  return {
    name: 'browser-reconnect',
    title: 'Reconnect recovery in real browsers (drop to both members decoding each other again)',
    rows: DROPS.map((drop) => {
      const list = samples.get(drop)!;
      const totals = list.map((r) => r.reconnectMs + r.decodingMs);
      return {
        drop,
        'reconnect ms (median)': median(list.map((r) => r.reconnectMs)),
        'decoding ms after (median)': median(list.map((r) => r.decodingMs)),
        'total ms (median)': median(totals),
        'total ms (max)': Math.max(...totals),
        samples: list.length,
        target: '≤ 5000 ms after the new connection',
      };
    }),
    notes: [
      `every round, total ms: ${DROPS.map((d) => `${d}: ${samples.get(d)!.map((r) => r.reconnectMs + r.decodingMs).join(' ')}`).join('; ')}`,
      'Two Chromiums at 640x360@30 on the same 2-core machine as LiveKit and the server. "decoding" waits for 15 new frames and a sample matching the pattern, polled every 100 ms.',
      'tests/e2e/reconnect.test.ts checks the same drops with a 60 s liveness bound and asserts no time.',
    ],
  };
}
