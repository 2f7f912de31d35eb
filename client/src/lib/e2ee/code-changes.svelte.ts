// Follows a Membership's call security code and keeps a notice of its latest change (who joined,
// left or was removed: code-change.ts) until the person dismisses it. The first epoch this page
// sees is the baseline: arriving in a call is not a change.
import { untrack } from 'svelte';
import { chainHead } from '../../../../crypto/member';
import { describeCodeChange, type EpochSnapshot } from './code-change';
import { type MembershipView as Membership } from './secure-room.svelte';

export interface CodeChangeNotice {
  /** The epoch whose code is new. */
  readonly epoch: number;
  readonly sentence: string;
}

export class CodeChanges {
  notice = $state.raw<CodeChangeNotice | undefined>(undefined);
  #last: EpochSnapshot | undefined;

  /** Make it while a component initialises: it follows `membership` for as long as that component lives. */
  constructor(membership: () => Membership | undefined) {
    $effect.pre(() => {
      const snapshot = snapshotOf(membership());
      untrack(() => this.#see(snapshot));
    });
  }

  dismiss(): void {
    this.notice = undefined;
  }

  #see(snapshot: EpochSnapshot | undefined): void {
    if (snapshot === undefined) return;
    const last = this.#last;
    this.#last = snapshot;
    if (last === undefined || last.epoch === snapshot.epoch) return;
    this.notice = { epoch: snapshot.epoch, sentence: describeCodeChange(last, snapshot) };
  }
}

function snapshotOf(membership: Membership | undefined): EpochSnapshot | undefined {
  const epoch = membership?.epoch;
  const head = membership === undefined ? null : chainHead(membership.state);
  if (membership === undefined || epoch === null || epoch === undefined || head === null) return undefined;
  return { epoch, action: head.action, members: membership.members };
}
