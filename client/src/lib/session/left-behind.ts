// Being left behind (rule [W1]): a member who sees media frames or in-call messages of an epoch
// newer than its own has missed a commit, possibly one the server withholds from it alone (a
// `remove` kept from one member lets it go on sending under a key the removed person holds).
// It resyncs at once; if the newer epoch has still not arrived WITHHELD_AFTER_MS later, it stops
// sending and says the server is withholding a membership change, until the epoch arrives.
//
// The signal cannot be authenticated (this member holds no key of the newer epoch), so the server
// or the SFU can raise it falsely; that only makes this member stop sending, which either could
// cause anyway by dropping its packets. Claims implausibly far ahead are ignored, so garbage KIDs
// do not count. Plain TypeScript with an injected clock: the caller runs the effects.

import { EVIDENCE_RESYNC_GAP_MS as RESYNC_GAP_MS, NEWER_EPOCH_HORIZON, WITHHELD_AFTER_MS } from '../../../../protocol/limits';

export type BehindEffect = { readonly type: 'resync' } | { readonly type: 'withhold'; readonly epoch: number } | { readonly type: 'caught-up' };

export class LeftBehind {
  /** The newest epoch seen evidence of, above our own, and when it was first seen. */
  #evidence: { epoch: number; since: number } | undefined;
  #lastResync = -Infinity;
  #withheld: number | undefined;

  /** The epoch the server withholds from this member, while it does. */
  get withheld(): number | undefined {
    return this.#withheld;
  }

  /** When a newer epoch's evidence turns into a withhold, if nothing arrives: now + remaining ms. */
  get deadline(): number | undefined {
    return this.#evidence === undefined || this.#withheld !== undefined ? undefined : this.#evidence.since + WITHHELD_AFTER_MS;
  }

  /** Evidence (a frame's KID, an app message) of `epoch` while this member holds `own`. */
  saw(epoch: number, own: number, now: number): BehindEffect[] {
    if (epoch <= own || epoch > own + NEWER_EPOCH_HORIZON) return [];
    if (this.#evidence === undefined || epoch > this.#evidence.epoch) this.#evidence = { epoch, since: this.#evidence?.since ?? now };
    if (now - this.#lastResync < RESYNC_GAP_MS) return [];
    this.#lastResync = now;
    return [{ type: 'resync' }];
  }

  /** The clock moved (or an epoch arrived): what to do now that this member holds `own`. */
  check(own: number, now: number): BehindEffect[] {
    const evidence = this.#evidence;
    if (evidence === undefined) return [];
    if (own >= evidence.epoch) {
      this.#evidence = undefined;
      const was = this.#withheld;
      this.#withheld = undefined;
      return was === undefined ? [] : [{ type: 'caught-up' }];
    }
    if (this.#withheld === undefined && now - evidence.since >= WITHHELD_AFTER_MS) {
      this.#withheld = evidence.epoch;
      return [{ type: 'withhold', epoch: evidence.epoch }];
    }
    return [];
  }
}
