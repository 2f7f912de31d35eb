// Each open peer connection's ICE configuration and selected candidate pair, read inside the page
// from the connections stats.ts records: which servers and transport policy the client configured,
// and which local and remote candidates carry the media.
import type { Evaluates } from './stats';

export interface IceCandidateSeen {
  type: string;
  address: string;
  port: number;
}

export interface PeerConnectionIce {
  policy: string | undefined;
  iceServerUrls: string[];
  state: string;
  /** The selected pair's candidates; null while no pair is selected. */
  local: IceCandidateSeen | null;
  remote: IceCandidateSeen | null;
}

const READ_ICE = `(async () => {
  const out = [];
  for (const pc of window.__sealroomPeerConnections ?? []) {
    if (pc.connectionState === 'closed') continue;
    const config = pc.getConfiguration();
    const report = await pc.getStats();
    let pair = null;
    for (const stat of report.values()) {
      if (stat.type === 'transport' && stat.selectedCandidatePairId) pair = report.get(stat.selectedCandidatePairId) ?? null;
    }
    const candidate = (id) => {
      const c = id === undefined ? undefined : report.get(id);
      return c === undefined ? null : { type: c.candidateType, address: c.address ?? c.ip ?? '', port: c.port };
    };
    out.push({
      policy: config.iceTransportPolicy,
      iceServerUrls: (config.iceServers ?? []).flatMap((s) => [].concat(s.urls)),
      state: pc.connectionState,
      local: pair === null ? null : candidate(pair.localCandidateId),
      remote: pair === null ? null : candidate(pair.remoteCandidateId),
    });
  }
  return out;
})()`;

export function peerConnectionIce(page: Evaluates): Promise<PeerConnectionIce[]> {
  return page.evaluate(READ_ICE) as Promise<PeerConnectionIce[]>;
}

/** Every open connection connected with a selected pair (and at least one open connection). */
export const allConnected = (list: readonly PeerConnectionIce[]): boolean => list.length >= 1 && list.every((pc) => pc.state === 'connected' && pc.local !== null && pc.remote !== null);
