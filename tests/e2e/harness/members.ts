// Sealroom members for the security browser tests: a Chromium participant with its own Y4M camera
// pattern and the client's audit flag on (public SFrame headers, counters and protocol-step times,
// never keys), plus readers for what the page shows and counts.
import { type Page } from 'playwright-core';
import { splitKid } from '../../../crypto/index';
import { launchParticipant, type Participant } from './browser';
import { type Pattern, type Y4mFormat, Y4M, writePatternY4m } from './pattern';
import type { Evaluates } from './stats';
import { waitUntil, type WaitOptions } from './wait';

export interface Member extends Participant {
  readonly pattern: Pattern;
}

export interface Audit {
  /** [KID, CTR, transform label] of every frame this page sent since it loaded. */
  headers: [string, string, string][];
  /** [KID, CTR, receiver label] of every received frame that opened on this page. */
  opened: [string, string, string][];
  /** [KID, CTR, sender label] of every frame this page replaced with a forgery (test-forger.ts). */
  forged: [string, string, string][];
  stats: {
    encrypted: number;
    decrypted: number;
    dropped: Record<string, number>;
    decryptedByKid: Record<string, number>;
    /** Per participant id whose tracks this page receives: what arrived and what opened. */
    byParticipant: Record<string, { opened: number; dropped: number; wrongSender: number; openedEpoch: number }>;
    /** Participants one of whose receivers lost its transform (failed closed). */
    detached: string[];
    refusedTransformChanges: number;
    /** [M1] Media signatures: per participant whose tracks this page receives, and senders refused. */
    signatures: {
      byParticipant: Record<string, { verified: number; unsigned: number; forged: number; held: number; holding: boolean }>;
      refused: string[];
      badBatches: number;
      coverage: { count: number; meanMs: number; maxMs: number; late: number };
    };
  };
  sendingEpoch: number | null;
  events: { step: string; detail: string; at: number }[];
}

export const AUDIT_ON = `try { localStorage.setItem('sealroom.audit', '1'); } catch {}`;

export async function launchMember(name: string, origin: string, pattern: Pattern, format: Y4mFormat = Y4M): Promise<Member> {
  const person = await launchParticipant(name, origin, { fakeVideo: await writePatternY4m(pattern, format) });
  await person.context.addInitScript({ content: AUDIT_ON });
  return Object.assign(person, { pattern });
}

export async function audit(page: Evaluates): Promise<Audit> {
  const value = (await page.evaluate('globalThis.sealroomAudit ? globalThis.sealroomAudit() : null')) as Audit | null;
  if (value === null) throw new Error('the page exposes no audit (is the audit flag set before the page loaded?)');
  return value;
}

/** This page's own participant id (its LiveKit identity), from its local tile. */
export function ownId(page: Page, options?: WaitOptions): Promise<string> {
  return waitUntil('own tile', () => page.locator('[data-testid=tile][data-local=true]').getAttribute('data-participant', { timeout: 1000 }), (id) => id !== null, options) as Promise<string>;
}

export interface CallCodeView {
  epoch: number;
  digits: string;
}

export async function callCode(page: Page): Promise<CallCodeView> {
  const code = page.getByTestId('call-code');
  const [epoch, digits] = await Promise.all([code.getAttribute('data-epoch', { timeout: 5000 }), code.textContent({ timeout: 5000 })]);
  return { epoch: Number(epoch), digits: digits ?? '' };
}

/** Waits until the page's call security code is for `epoch` or later. */
export function waitForEpoch(page: Page, epoch: number, options?: WaitOptions): Promise<CallCodeView> {
  return waitUntil(`call code for epoch ${epoch} or later`, () => callCode(page), (code) => code.epoch >= epoch, options);
}

export const remoteVideo = (participantId: string): string => `[data-testid="tile"][data-participant="${participantId}"] video`;

/** The epoch a KID names (crypto/epoch.ts splitKid; KIDs come as strings from the page). */
export const kidEpoch = (kid: bigint | string): number => splitKid(BigInt(kid)).epoch;
