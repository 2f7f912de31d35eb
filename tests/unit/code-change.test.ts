import { describe, expect, it } from 'vitest';
import { describeCodeChange as describeMessage, type EpochSnapshot, type SnapshotMember } from '../../client/src/lib/e2ee/code-change';
import { CATALOGUES } from '../../client/src/lib/i18n/catalogues';
import { Formatter, render } from '../../client/src/lib/i18n/format';
import { type CommitAction } from '../../crypto/index';

const key = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const member = (index: number, name: string, extra: Partial<SnapshotMember> = {}): SnapshotMember => ({
  index,
  identityPublicKey: key(index + 1),
  name,
  isHost: index === 0,
  isSelf: false,
  ...extra,
});
const epoch = (n: number, action: CommitAction, members: readonly SnapshotMember[]): EpochSnapshot => ({ epoch: n, action, members });

const alice = member(0, 'Alice', { isSelf: true });
const bob = member(1, 'Bob');
const carol = member(2, 'Carol');
const dan = member(3, 'Dan');
const eve = member(4, 'Eve');

const english = new Formatter('en', CATALOGUES.en);
const describeCodeChange = (before: EpochSnapshot, after: EpochSnapshot): string => render(describeMessage(before, after), english);

describe('why the call security code changed', () => {
  it('names who joined', () => {
    expect(describeCodeChange(epoch(1, 'admit', [alice, bob]), epoch(2, 'admit', [alice, bob, carol]))).toBe('Carol joined');
    expect(describeCodeChange(epoch(1, 'admit', [alice]), epoch(2, 'admit', [alice, bob, carol]))).toBe('Bob and Carol joined');
    expect(describeCodeChange(epoch(1, 'admit', [alice]), epoch(2, 'admit', [alice, bob, carol, dan]))).toBe('Bob, Carol, and Dan joined');
    expect(describeCodeChange(epoch(1, 'admit', [alice]), epoch(2, 'admit', [alice, bob, carol, dan, eve]))).toBe('Bob, Carol, and 2 others joined');
  });

  it('tells a removal from a departure', () => {
    expect(describeCodeChange(epoch(2, 'admit', [alice, bob, carol]), epoch(3, 'remove', [alice, carol]))).toBe('Bob was removed');
    expect(describeCodeChange(epoch(2, 'admit', [alice, bob, carol]), epoch(3, 'remove', [alice]))).toBe('Bob and Carol were removed');
    expect(describeCodeChange(epoch(2, 'admit', [alice, bob, carol]), epoch(3, 'leave', [alice, carol]))).toBe('Bob left');
  });

  it('does not guess how people went when several epochs passed at once', () => {
    expect(describeCodeChange(epoch(2, 'admit', [alice, bob, carol]), epoch(5, 'remove', [alice, dan]))).toBe('Dan joined; Bob and Carol left');
  });

  it('treats the same name with another key, or another index, as someone else', () => {
    const otherBob = member(1, 'Bob', { identityPublicKey: key(99) });
    expect(describeCodeChange(epoch(1, 'admit', [alice, bob]), epoch(2, 'admit', [alice, otherBob]))).toBe('Bob joined; Bob left');
    const movedBob = member(5, 'Bob', { identityPublicKey: bob.identityPublicKey });
    expect(describeCodeChange(epoch(1, 'admit', [alice, bob]), epoch(2, 'admit', [alice, movedBob]))).toBe('Bob joined; Bob left');
  });

  it('says what happened when nobody came or went', () => {
    expect(describeCodeChange(epoch(3, 'admit', [alice, bob]), epoch(4, 'rekey', [alice, bob]))).toBe('the keys were renewed');
    expect(describeCodeChange(epoch(3, 'admit', [alice, bob]), epoch(4, 'lock', [alice, bob]))).toBe('the room was locked');
    expect(describeCodeChange(epoch(4, 'lock', [alice, bob]), epoch(5, 'unlock', [alice, bob]))).toBe('the room was unlocked');
    const bobHost = { ...bob, isHost: true };
    expect(describeCodeChange(epoch(3, 'admit', [alice, bob]), epoch(4, 'transfer', [{ ...alice, isHost: false }, bobHost]))).toBe('Bob is now the host');
    const selfHost = { ...bob, isSelf: true, isHost: true };
    expect(describeCodeChange(epoch(3, 'admit', [{ ...alice, isSelf: false }, { ...bob, isSelf: true }]), epoch(4, 'transfer', [{ ...alice, isHost: false, isSelf: false }, selfHost]))).toBe(
      'you are now the host',
    );
  });

  it('says it in French and Arabic, names joined the way each language lists them', () => {
    const say = (locale: 'fr' | 'ar', before: EpochSnapshot, after: EpochSnapshot) => render(describeMessage(before, after), new Formatter(locale, CATALOGUES[locale]));
    expect(say('fr', epoch(1, 'admit', [alice]), epoch(2, 'admit', [alice, bob, carol, dan]))).toBe('Bob, Carol et Dan ont rejoint l’appel');
    expect(say('fr', epoch(2, 'admit', [alice, bob, carol]), epoch(3, 'remove', [alice, carol]))).toBe('Bob a été retiré de l’appel');
    expect(say('fr', epoch(1, 'admit', [alice]), epoch(2, 'admit', [alice, bob, carol, dan, eve]))).toBe('Bob, Carol et 2 autres personnes ont rejoint l’appel');
    const arabic = say('ar', epoch(1, 'admit', [alice]), epoch(2, 'admit', [alice, bob, carol]));
    expect(arabic.replace(/[\u2068\u2069]/g, '')).toBe('انضمّ Bob وCarol');
  });
});
