// The HTTP half of making a room, as the host's browser does it: a fresh link secret, the access
// verifier the server stores in place of the access token, `POST /api/rooms`, and the link
// fragment (secret + host fingerprint) that only link holders ever see.
import { toBase64Url, type IdentityKeyPair, fingerprint, type LinkFragment, deriveAccessKeys, generateLinkSecret, type HostKeyPair } from '../../crypto/index';
import { CreateRoomResponse, type CreateRoomRequest } from '../../protocol/protocol';
import { DriverError } from './errors';

export interface CreatedRoom {
  readonly roomId: string;
  readonly hostCredential: string;
  readonly fragment: LinkFragment;
}

export async function createRoomOverHttp(origin: string, hostIdentity: IdentityKeyPair, hostKey: HostKeyPair): Promise<CreatedRoom> {
  const linkSecret = generateLinkSecret();
  const request: CreateRoomRequest = { accessVerifier: toBase64Url(deriveAccessKeys(linkSecret).accessVerifier), hostKey: toBase64Url(hostKey.publicKey) };
  const res = await fetch(`${origin}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  if (res.status !== 201) throw new DriverError('refused', `POST /api/rooms answered ${res.status}: ${await res.text()}`);
  const body = CreateRoomResponse.parse(await res.json());
  return { roomId: body.roomId, hostCredential: body.hostCredential, fragment: { linkSecret, hostFingerprint: fingerprint(hostIdentity.publicKey) } };
}

/** What a guest presents at the upgrade: the access token derived from the link secret. */
export function accessCredential(fragment: LinkFragment): string {
  return toBase64Url(deriveAccessKeys(fragment.linkSecret).accessToken);
}
