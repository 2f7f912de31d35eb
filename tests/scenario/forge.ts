// Test helper (not product code): build commits that an honest host would never publish, signed
// by whichever identity a test chooses, so that each rule of chain.ts can be shown to bite.
import {
  Writer,
  type SignedCommit,
  type UnsignedCommitBody,
  decodeSignedCommit,
  participantIdText,
  signCommit,
  unwrapCommit,
  wrapCommit,
  wrappedCommitEpoch,
  commitKey,
  commitToSecret,
  generateEpochSecret,
  sealEnvelope,
  type Signer,
  Label,
  type InRoomState,
  wrap,
} from '../../crypto/index';
import { type Link } from './fixtures';
import { type LogEntry } from './relay';

export interface Forged {
  readonly entry: LogEntry;
  readonly signed: SignedCommit;
  readonly epochSecret: Uint8Array;
}

/**
 * The commit after `base` (a rekey by default) with `overrides` applied, signed by `signer`
 * (the link's host by default), wrapped, with a correct envelope for every member it lists.
 */
export async function forgeNext(link: Link, base: InRoomState, overrides: Partial<UnsignedCommitBody> = {}, signer: Signer = link.hostIdentity): Promise<Forged> {
  const epoch = overrides.epoch ?? base.epoch + 1;
  const epochSecret = generateEpochSecret();
  const body: UnsignedCommitBody = {
    roomId: base.roomId,
    epoch,
    prevHash: base.commitHash,
    action: 'rekey',
    locked: base.locked,
    ended: false,
    hostIndex: base.hostIndex,
    secretCommitment: commitToSecret(epochSecret, base.roomId, epoch),
    members: base.members,
    ...overrides,
  };
  const signed = await signCommit(signer, body);
  return { entry: entryFor(signed, epochSecret, base.epochSecret), signed, epochSecret };
}

/**
 * Wrap an already-signed commit under `epochSecret` (and, with `previousSecret`, its handoff), with
 * envelopes of that secret for every member it lists.
 */
export function entryFor(signed: SignedCommit, epochSecret: Uint8Array, previousSecret: Uint8Array | null = null): LogEntry {
  const envelopes = new Map<string, Uint8Array>();
  for (const m of signed.body.members) envelopes.set(participantIdText(m.participantId), sealEnvelope(signed.body.epoch, epochSecret, m.roomPublicKey));
  return { epoch: signed.body.epoch, wrapped: wrapCommit(signed, epochSecret, previousSecret), envelopes };
}

/** Wrap signed bytes under this room's id and the commit key of `epochSecret`, whatever room the body itself names. */
export function wrapForRoom(link: Link, signedBytes: Uint8Array, epoch: number, epochSecret: Uint8Array): Uint8Array {
  const context = new Writer().bytes(link.room.roomId).u64(epoch).finish();
  const inner = wrap(commitKey(epochSecret, link.room.roomId, epoch), Label.epochCommitKey, context, signedBytes);
  return new Writer().u8(2).u64(epoch).vec16(new Uint8Array(0)).bytes(inner).finish();
}

/** What a member holding the epoch's secret can do: unwrap, edit the signed bytes, and re-wrap. */
export function rewrap(link: Link, wrapped: Uint8Array, epochSecret: Uint8Array, edit: (signed: SignedCommit) => Uint8Array): Uint8Array {
  const epoch = wrappedCommitEpoch(wrapped);
  const signed = unwrapCommit(commitKey(epochSecret, link.room.roomId, epoch), link.room.roomId, wrapped);
  const edited = edit(signed);
  return wrapForRoom(link, edited, decodeSignedCommit(edited).body.epoch, epochSecret);
}

