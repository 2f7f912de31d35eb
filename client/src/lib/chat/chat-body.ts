// The body of a `chat` app message: one line of text and a random message id. Sealing, signing
// and the per-sender seq are crypto/app-message.ts's; this is only what sits inside. The id stays
// the same when the sender resends a line after a reconnect, so receivers show the line once.
//
//   +--------+-----------------+-------+--------------------------+
//   | u8 = 1 | messageId (16)  | u16 n | text (n bytes of UTF-8)  |
//   +--------+-----------------+-------+--------------------------+
//   n: 1..MAX_CHAT_BYTES
import { fromUtf8, Reader, utf8, Writer, CodecError, Reason, checkVersion } from '../../../../crypto/index';

const CHAT_BODY_VERSION = 1;
export const MESSAGE_ID_BYTES = 16;
/** Longest line a person can type, in UTF-16 code units (what an input's maxlength counts). */
export const MAX_CHAT_LENGTH = 1000;
/** Longest text on the wire: MAX_CHAT_LENGTH code units are at most 3 bytes each in UTF-8. */
export const MAX_CHAT_BYTES = 3 * MAX_CHAT_LENGTH;

export interface ChatBody {
  readonly messageId: Uint8Array;
  readonly text: string;
}

export function encodeChatBody(body: ChatBody): Uint8Array {
  if (body.messageId.length !== MESSAGE_ID_BYTES) throw new CodecError(Reason.malformed, `chat message id of ${body.messageId.length} bytes`);
  const text = utf8(body.text);
  if (text.length === 0) throw new CodecError(Reason.malformed, 'chat line is empty');
  if (text.length > MAX_CHAT_BYTES) throw new CodecError(Reason.fieldTooLong, `chat line of ${text.length} bytes, above ${MAX_CHAT_BYTES}`);
  return new Writer().u8(CHAT_BODY_VERSION).bytes(body.messageId).vec16(text).finish();
}

/** Throws CodecError or VersionError for anything but an exact, current-version body. */
export function decodeChatBody(bytes: Uint8Array): ChatBody {
  const r = new Reader(bytes, 'chat line');
  checkVersion(r.u8(), CHAT_BODY_VERSION, 'chat line');
  const messageId = r.bytes(MESSAGE_ID_BYTES).slice();
  const text = r.vec16(MAX_CHAT_BYTES);
  r.end();
  if (text.length === 0) throw new CodecError(Reason.malformed, 'chat line is empty');
  return { messageId, text: fromUtf8(text) };
}

/** What a person typed, as it is sent: line breaks normalised, surrounding space trimmed. */
export function cleanChatText(raw: string): string {
  return raw.replace(/\r\n?/g, '\n').trim();
}
