// client/src/lib/reconnect-decision.ts: a refused resume ends only on the server's word about the token.
import { describe, expect, it } from 'vitest';
import { afterAnswer, afterClose, CREDENTIAL_USED, type CloseState } from '../../client/src/lib/reconnect-decision';
import { CloseCode } from '../../protocol/protocol';

/** 1006: what a browser sees for a refused upgrade (401, 503 during a takeover) and for a node that is down. */
const NO_OPEN = 1006;
const resuming: CloseState = { welcomed: false, resuming: true, everWelcomed: true };
const reloaded: CloseState = { welcomed: false, resuming: true, everWelcomed: false };
const firstConnection: CloseState = { welcomed: false, resuming: false, everWelcomed: false };
const welcomed: CloseState = { welcomed: true, resuming: true, everWelcomed: true };

describe('afterClose', () => {
  it('asks the server about the token when a resume is refused, however often, instead of forgetting it', () => {
    for (const state of [resuming, reloaded]) {
      for (let attempt = 0; attempt < 5; attempt++) expect(afterClose(NO_OPEN, state)).toEqual({ kind: 'ask' });
    }
  });

  it('starts over with the link only when the hub says the token was used in the meantime', () => {
    expect(afterClose(CREDENTIAL_USED, resuming)).toEqual({ kind: 'start-over' });
  });

  it('resumes after a welcomed socket drops, is shut down, or its room moves to another node', () => {
    for (const code of [NO_OPEN, CloseCode.goingAway, CloseCode.tryAgain, CloseCode.heartbeatTimeout]) expect(afterClose(code, welcomed)).toEqual({ kind: 'retry' });
  });

  it('ends on the codes that are the server\'s last word, welcomed or not', () => {
    const finals = [
      [CloseCode.removed, 'removed'],
      [CloseCode.denied, 'denied'],
      [CloseCode.roomEnded, 'ended'],
      [CloseCode.replaced, 'replaced'],
      [CloseCode.protocolViolation, 'protocol'],
      [CloseCode.tooBig, 'protocol'],
      [CloseCode.unproven, 'unproven'],
    ] as const;
    for (const [code, reason] of finals) for (const state of [welcomed, resuming, firstConnection]) expect(afterClose(code, state)).toEqual({ kind: 'finish', reason });
  });

  it('hands a refused first connection to the controller, which asks the HTTP API why', () => {
    expect(afterClose(NO_OPEN, firstConnection)).toEqual({ kind: 'finish', reason: 'rejected' });
  });

  it('retries a member that started over with the link and whose next upgrade was refused', () => {
    expect(afterClose(NO_OPEN, { welcomed: false, resuming: false, everWelcomed: true })).toEqual({ kind: 'retry' });
  });
});

describe('afterAnswer', () => {
  it('keeps the token and backs off while the server says it counts, or does not answer', () => {
    expect(afterAnswer('valid')).toEqual({ kind: 'retry' });
    expect(afterAnswer('unreachable')).toEqual({ kind: 'retry' });
  });

  it('forgets the token only when the server says the room does not know it', () => {
    expect(afterAnswer('unknown')).toEqual({ kind: 'start-over' });
  });

  it('ends as rejected when the room is gone', () => {
    expect(afterAnswer('no-room')).toEqual({ kind: 'finish', reason: 'rejected' });
  });
});
