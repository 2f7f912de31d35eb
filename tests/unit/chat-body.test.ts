import { describe, expect, it } from 'vitest';
import { Writer, utf8, CodecError, Reason, VersionError } from '../../crypto/index';
import { cleanChatText, decodeChatBody, encodeChatBody, MAX_CHAT_BYTES, MAX_CHAT_LENGTH, MESSAGE_ID_BYTES } from '../../client/src/lib/chat/chat-body';
import { expectError } from '../scenario/errors';

const id = Uint8Array.from({ length: MESSAGE_ID_BYTES }, (_, i) => i + 1);
const raw = (version: number, messageId: Uint8Array, text: Uint8Array): Uint8Array => new Writer().u8(version).bytes(messageId).vec16(text).finish();

describe('chat line body', () => {
  it('round-trips text, message id included, up to the longest line a person can type', () => {
    for (const text of ['hello', 'ünïcödé · 日本語 · 👋🏽', 'two\nlines', '€'.repeat(MAX_CHAT_LENGTH)]) {
      expect(decodeChatBody(encodeChatBody({ messageId: id, text }))).toEqual({ messageId: id, text });
    }
    // The typed limit fits the wire limit whatever the characters: 3 UTF-8 bytes per code unit at most.
    expect(utf8('€'.repeat(MAX_CHAT_LENGTH)).length).toBeLessThanOrEqual(MAX_CHAT_BYTES);
  });

  it('has the documented layout', () => {
    expect(encodeChatBody({ messageId: id, text: 'hi' })).toEqual(Uint8Array.of(1, ...id, 0, 2, 0x68, 0x69));
  });

  it('refuses to encode an empty or too long line, or a message id of another size', () => {
    expectError(() => encodeChatBody({ messageId: id, text: '' }), CodecError, Reason.malformed);
    expectError(() => encodeChatBody({ messageId: id, text: 'x'.repeat(MAX_CHAT_BYTES + 1) }), CodecError, Reason.fieldTooLong);
    expectError(() => encodeChatBody({ messageId: id.subarray(1), text: 'hi' }), CodecError, Reason.malformed);
  });

  it('decodes only an exact, current-version body, with distinct typed errors', () => {
    const good = encodeChatBody({ messageId: id, text: 'hi' });
    expectError(() => decodeChatBody(raw(0, id, utf8('hi'))), VersionError, Reason.oldVersion);
    expectError(() => decodeChatBody(raw(2, id, utf8('hi'))), VersionError, Reason.unknownVersion);
    expectError(() => decodeChatBody(good.subarray(0, good.length - 1)), CodecError, Reason.truncated);
    expectError(() => decodeChatBody(Uint8Array.of(...good, 0)), CodecError, Reason.trailingBytes);
    expectError(() => decodeChatBody(raw(1, id, new Uint8Array(0))), CodecError, Reason.malformed);
    expectError(() => decodeChatBody(raw(1, id, Uint8Array.of(0xff, 0xfe))), CodecError, Reason.malformed);
    expectError(() => decodeChatBody(raw(1, id, new Uint8Array(MAX_CHAT_BYTES + 1))), CodecError, Reason.fieldTooLong);
  });

  it('sends what was typed, trimmed, with one kind of line break', () => {
    expect(cleanChatText('  a\r\nb\rc \n')).toBe('a\nb\nc');
    expect(cleanChatText(' \n\t ')).toBe('');
  });
});
