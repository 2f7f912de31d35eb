// "New room": a fresh link secret, the access verifier the server stores in place of the access
// token, the title/description/start time sealed under the link's room-info key, POST /api/rooms,
// and the link to open. The link secret and the host's fingerprint go only into the URL fragment,
// which browsers never send.
import { sodiumReady } from '../../../crypto/index';
import { toBase64Url } from '../../../crypto/index';
import { fingerprint } from '../../../crypto/index';
import { deriveAccessKeys, formatFragment, generateLinkSecret } from '../../../crypto/index';
import { sealRoomInfo, type RoomInfo } from '../../../crypto/index';
import { createRoom, type ApiFailure } from './api';
import { message, type Message } from './i18n/message';
import { saveHostCredential } from './host-credential';
import { newHostKey, roomHostKey } from './storage/host-key-store';
import { loadIdentity } from './storage/identity-store';

export type CreateResult = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly message: Message };

export async function newRoom(info: RoomInfo): Promise<CreateResult> {
  await sodiumReady();
  const identity = await loadIdentity();
  const linkSecret = generateLinkSecret();
  const { accessVerifier, roomInfoKey } = deriveAccessKeys(linkSecret);
  let sealed: string;
  try {
    sealed = toBase64Url(sealRoomInfo(roomInfoKey, info));
  } catch {
    // Only an over-long title or description gets here; the form's maxlength mostly prevents it.
    return { ok: false, message: message('home.invalidDetails') };
  }
  // The room's own host key (not the identity key): the server lets only its holder be the host.
  const hostKey = await newHostKey();
  const created = await createRoom({ accessVerifier: toBase64Url(accessVerifier), hostKey: toBase64Url(hostKey.publicKey), info: sealed });
  if (!created.ok) return { ok: false, message: failure(created.code) };
  const { roomId, hostCredential } = created.value;
  if ((await roomHostKey(roomId, hostKey)) === null) return { ok: false, message: message('home.noStorage') };
  saveHostCredential(roomId, hostCredential);
  const fragment = formatFragment({ linkSecret, hostFingerprint: fingerprint(identity.publicKey) });
  return { ok: true, url: `/r/${roomId}#${fragment}` };
}

function failure(code: ApiFailure['code']): Message {
  if (code === 'rate-limited') return message('home.rateLimited');
  if (code === 'server-full') return message('home.serverFull');
  if (code === 'network') return message('home.unreachable');
  if (code === 'bad-response') return message('home.badResponse');
  return message('home.createFailed');
}
