import { describe, expect, it } from 'vitest';
import {
  type ConfirmView,
  checkConfirmation,
  decodeConfirmation,
  encodeConfirmation,
  makeConfirmation,
  generateEpochSecret,
  CodecError,
  EpochError,
  Reason,
  VersionError,
  sodium,
} from '../../crypto/index';
import { expectError } from '../scenario/errors';

function view(overrides: Partial<ConfirmView> = {}): ConfirmView {
  return { roomId: sodium().randombytes_buf(16), epoch: 5, commitHash: sodium().randombytes_buf(32), epochSecret: generateEpochSecret(), ...overrides };
}

describe('epoch confirmations', () => {
  it('round-trip through their 43-byte format', () => {
    const c = { epoch: 9, senderIndex: 3, tag: sodium().randombytes_buf(32) };
    const bytes = encodeConfirmation(c);
    expect(bytes.length).toBe(43);
    expect(decodeConfirmation(bytes)).toEqual(c);
  });

  it('match between two members holding the same commit and secret', () => {
    const shared = view();
    expect(checkConfirmation({ ...shared }, makeConfirmation(shared, 4))).toBe(4);
  });

  it('mismatch (fork) when the commit hashes differ', () => {
    const mine = view();
    const theirs = { ...mine, commitHash: sodium().randombytes_buf(32) };
    expectError(() => checkConfirmation(mine, makeConfirmation(theirs, 2)), EpochError, Reason.fork);
  });

  it('mismatch (fork) when the epoch secrets differ, or the relay changes the sender index', () => {
    const mine = view();
    expectError(() => checkConfirmation(mine, makeConfirmation({ ...mine, epochSecret: generateEpochSecret() }, 2)), EpochError, Reason.fork);
    const moved = makeConfirmation(mine, 2);
    moved[10] = 3;
    expectError(() => checkConfirmation(mine, moved), EpochError, Reason.fork);
  });

  it('are set aside (unknown-epoch) when they are for another epoch', () => {
    const mine = view();
    expectError(() => checkConfirmation(mine, makeConfirmation({ ...mine, epoch: 6 }, 1)), EpochError, Reason.unknownEpoch);
  });

  it('refuse unknown versions, truncation and trailing bytes', () => {
    const bytes = makeConfirmation(view(), 1);
    expectError(() => decodeConfirmation(Uint8Array.of(2, ...bytes.subarray(1))), VersionError, Reason.unknownVersion);
    expectError(() => decodeConfirmation(bytes.subarray(0, 42)), CodecError, Reason.truncated);
    expectError(() => decodeConfirmation(Uint8Array.of(...bytes, 1)), CodecError, Reason.trailingBytes);
  });
});
