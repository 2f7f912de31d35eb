// The RTCConfiguration a LiveKit grant asks for. livekit-client fills in the ICE servers of
// LiveKit's join response (STUN, LiveKit's TURN with per-participant credentials) only when the
// configuration names none, so 'default' must leave `iceServers` unset; 'none' (the embedded
// loopback LiveKit) sets an empty list. A relay-only grant keeps LiveKit's servers and refuses
// every candidate that is not a TURN relay.
import type { LiveKitGrant } from '../../../protocol/protocol';

export function rtcConfigFor(grant: LiveKitGrant): RTCConfiguration {
  if (grant.iceServers === 'none') return { iceServers: [] };
  return grant.iceTransportPolicy === 'relay' ? { iceTransportPolicy: 'relay' } : {};
}
