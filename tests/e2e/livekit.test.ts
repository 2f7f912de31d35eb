// The loopback LiveKit that e2e tests (and `npm start`) run never points a client off the host.
import { describe, expect, it } from 'vitest';
import { advertisedIceServerUrls } from './harness/livekit-signal';

function harnessLiveKit(): [string, string, string] {
  const { LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET } = process.env;
  if (!LIVEKIT_URL || !LIVEKIT_API_KEY || !LIVEKIT_API_SECRET) throw new Error('run with `npm run test:e2e`');
  return [LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET];
}

describe('the embedded LiveKit', () => {
  it('advertises ICE servers to joining clients only on 127.0.0.0/8', async () => {
    const urls = await advertisedIceServerUrls(...harnessLiveKit(), 'ice-server-probe');
    // LiveKit always sends at least one: with none configured it falls back to public STUN servers.
    expect(urls.length).toBeGreaterThan(0);
    const hosts = urls.map((url) => /^(?:stuns?|turns?):([^:?]+)/.exec(url)?.[1] ?? `unparsed: ${url}`);
    expect(hosts.filter((host) => !/^127\.\d+\.\d+\.\d+$/.test(host))).toEqual([]);
  });
});
