// "New room": a fresh link secret, the access verifier the server stores in place of the access
// token, the title/description/start time sealed under the link's room-info key, POST /api/rooms,
// and the link to open. The link secret and the host's fingerprint go only into the URL fragment,
// which browsers never send.
import { sodiumReady, toBase64Url, fingerprint, deriveAccessKeys, formatFragment, generateLinkSecret, sealRoomInfo, type RoomInfo } from '../../../crypto/index';
import { createRoom } from './api';
import { saveHostCredential } from './host-credential';
import { loadIdentity } from './storage/identity-store';

export type CreateResult = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly message: string };

export async function newRoom(info: RoomInfo): Promise<CreateResult> {
  await sodiumReady();
  const identity = await loadIdentity();
  const linkSecret = generateLinkSecret();
  const { accessVerifier, roomInfoKey } = deriveAccessKeys(linkSecret);
  let sealed: string;
  try {
    sealed = toBase64Url(sealRoomInfo(roomInfoKey, info));
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : 'The room details are not valid.' };
  }
  const created = await createRoom({ accessVerifier: toBase64Url(accessVerifier), info: sealed });
  if (!created.ok) return { ok: false, message: created.code === 'rate-limited' ? 'Too many rooms were created from here. Try again in a minute.' : created.message };
  const { roomId, hostCredential } = created.value;
  saveHostCredential(roomId, hostCredential);
  const fragment = formatFragment({ linkSecret, hostFingerprint: fingerprint(identity.publicKey) });
  return { ok: true, url: `/r/${roomId}#${fragment}` };
}
