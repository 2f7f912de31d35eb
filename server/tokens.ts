// LiveKit access: short-lived join tokens for opaque participant ids, and best-effort admin
// calls (remove a participant, delete a room). The LiveKit room name is the Sealroom room id.
// Tokens carry no name, metadata or attributes: the SFU learns only random ids.
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import type { LiveKitGrant } from '../protocol/protocol';
import type { LiveKitConfig } from './config';
import type { Logger } from './log';

export interface GrantIssuer {
  issue(roomId: string, participantId: string): Promise<LiveKitGrant>;
}

export interface SfuAdmin {
  /** Never rejects: failures are logged by id. */
  removeParticipant(roomId: string, participantId: string): Promise<void>;
  /** Never rejects: failures are logged by id. */
  deleteRoom(roomId: string): Promise<void>;
}

/** What grants are made of: LiveKitConfig, or part of it (forceRelay is off unless given). */
type GrantSource = Pick<LiveKitConfig, 'url' | 'apiKey' | 'apiSecret' | 'local'> & Partial<Pick<LiveKitConfig, 'forceRelay'>>;

export function createGrantIssuer(livekit: GrantSource, ttlSeconds: number): GrantIssuer {
  return {
    async issue(roomId, participantId) {
      // identity only: `name`, `metadata` and `attributes` are deliberately never set.
      const token = new AccessToken(livekit.apiKey, livekit.apiSecret, { identity: participantId, ttl: ttlSeconds });
      token.addGrant({ room: roomId, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: false });
      const grant: LiveKitGrant = { url: livekit.url, token: await token.toJwt(), iceServers: livekit.local ? 'none' : 'default' };
      return livekit.forceRelay === true ? { ...grant, iceTransportPolicy: 'relay' } : grant;
    },
  };
}

const ADMIN_TIMEOUT_SECONDS = 5;

export function createSfuAdmin(livekit: Pick<LiveKitConfig, 'url' | 'apiKey' | 'apiSecret' | 'local'> | null, log: Logger): SfuAdmin {
  const client = livekit === null ? null : new RoomServiceClient(livekit.url, livekit.apiKey, livekit.apiSecret, { requestTimeout: ADMIN_TIMEOUT_SECONDS, failover: false });
  const attempt = async (event: string, fields: Record<string, string>, call: (c: RoomServiceClient) => Promise<void>) => {
    if (client === null) return;
    try {
      await call(client);
      log.info(event, fields);
    } catch (e) {
      // The error text can echo request details; log only its class and our ids.
      log.warn(`${event}.failed`, { ...fields, error: e instanceof Error ? e.name : 'unknown' });
    }
  };
  return {
    removeParticipant: (roomId, participantId) => attempt('sfu.participant-removed', { room: roomId, participant: participantId }, (c) => c.removeParticipant(roomId, participantId)),
    deleteRoom: (roomId) => attempt('sfu.room-deleted', { room: roomId }, (c) => c.deleteRoom(roomId)),
  };
}
