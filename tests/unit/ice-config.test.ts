// client/src/lib/ice.ts: what a LiveKit grant makes of the peer connections' ICE configuration.
import { describe, expect, it } from 'vitest';
import { rtcConfigFor } from '../../client/src/lib/ice';
import { LiveKitGrant } from '../../protocol/protocol';

const base = { url: 'wss://sfu.example.org', token: 't' };

describe('the ICE configuration of a grant', () => {
  it('uses no ICE server for the embedded loopback LiveKit', () => {
    expect(rtcConfigFor({ ...base, iceServers: 'none' })).toEqual({ iceServers: [] });
  });

  it("leaves iceServers unset for a deployment, so livekit-client uses LiveKit's STUN and TURN", () => {
    const config = rtcConfigFor({ ...base, iceServers: 'default' });
    expect(config).toEqual({});
    expect('iceServers' in config).toBe(false);
  });

  it("keeps the deployment's servers and allows relay candidates only when the grant says relay", () => {
    expect(rtcConfigFor({ ...base, iceServers: 'default', iceTransportPolicy: 'relay' })).toEqual({ iceTransportPolicy: 'relay' });
  });

  it('refuses a grant with an unknown transport policy', () => {
    expect(LiveKitGrant.safeParse({ ...base, iceServers: 'default', iceTransportPolicy: 'host' }).success).toBe(false);
    expect(LiveKitGrant.safeParse({ ...base, iceServers: 'default', iceTransportPolicy: 'relay' }).success).toBe(true);
  });
});
