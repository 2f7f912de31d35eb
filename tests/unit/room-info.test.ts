import { describe, expect, it } from 'vitest';
import { CodecError, Reason, VerificationError, MAX_DESCRIPTION_BYTES, MAX_TITLE_BYTES, decodeRoomInfo, encodeRoomInfo, openRoomInfo, sealRoomInfo, sodium } from '../../crypto/index';
import { expectError } from '../scenario/errors';

const key = () => sodium().randombytes_buf(32);

describe('room info', () => {
  it('round-trips title, description and an optional start time, trimmed', () => {
    const k = key();
    expect(openRoomInfo(k, sealRoomInfo(k, { title: '  Weekly sync ', description: 'Agenda: ✓', startsAt: 1_795_000_000_000 }))).toEqual({ title: 'Weekly sync', description: 'Agenda: ✓', startsAt: 1_795_000_000_000 });
    expect(openRoomInfo(k, sealRoomInfo(k, { title: 'Ad hoc', description: '' }))).toEqual({ title: 'Ad hoc', description: '' });
  });

  it('refuses empty or oversized fields and impossible start times', () => {
    expectError(() => encodeRoomInfo({ title: '  ', description: '' }), CodecError, Reason.fieldTooLong);
    expectError(() => encodeRoomInfo({ title: 'x'.repeat(MAX_TITLE_BYTES + 1), description: '' }), CodecError, Reason.fieldTooLong);
    expectError(() => encodeRoomInfo({ title: 't', description: 'é'.repeat(MAX_DESCRIPTION_BYTES / 2 + 1) }), CodecError, Reason.fieldTooLong);
    expectError(() => encodeRoomInfo({ title: 't', description: '', startsAt: -1 }), CodecError, Reason.outOfRange);
    const bytes = encodeRoomInfo({ title: 't', description: '' });
    bytes[bytes.length - 1] = 1; // a start time without its flag
    expectError(() => decodeRoomInfo(bytes), CodecError, Reason.malformed);
  });

  it('does not open with another link, or altered', () => {
    const k = key();
    const sealed = sealRoomInfo(k, { title: 'Private', description: '' });
    expectError(() => openRoomInfo(key(), sealed), VerificationError, Reason.authFailed);
    const altered = sealed.slice();
    altered[altered.length - 1]! ^= 1;
    expect(() => openRoomInfo(k, altered)).toThrow(VerificationError);
  });
});
