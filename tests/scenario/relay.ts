// An in-memory relay standing in for the signaling server in scenario tests (not product code).
// Honest by default: it stores each commit in the room's log and hands every recipient the commit
// with its own envelope. Tests make it hostile by passing a `tamper` function that rewrites what
// one recipient receives, or by delivering entries out of order, twice, or not at all.
import { type HostResult, type IncomingCommit, type TransitionResult, transition } from '../../crypto/index';
import { type Party } from './fixtures';

export interface LogEntry {
  readonly epoch: number;
  readonly wrapped: Uint8Array;
  readonly envelopes: ReadonlyMap<string, Uint8Array>;
}

/** The log entry a host result becomes, without storing it (for entries a test routes by hand). */
export function entryOf(result: HostResult): LogEntry {
  return { epoch: result.epoch, wrapped: result.wrappedCommit, envelopes: result.envelopes };
}

export type Tamper = (message: IncomingCommit, to: Party) => IncomingCommit;

export class Relay {
  readonly log: LogEntry[] = [];
  /** The newest sealed lobby record a host published with a commit. */
  lobby: Uint8Array | undefined;

  /** The host posts a commit; the relay stores it (the host's own state is already advanced). */
  publish(result: HostResult, host: Party): LogEntry {
    host.state = result.state;
    if (result.lobby !== undefined) this.lobby = result.lobby;
    const entry = entryOf(result);
    this.log.push(entry);
    return entry;
  }

  /** What the server sends `to` for one log entry: the commit and `to`'s own envelope, if any. */
  messageFor(entry: LogEntry, to: Party): IncomingCommit {
    const envelope = entry.envelopes.get(to.pid);
    return envelope === undefined ? { wrapped: entry.wrapped } : { wrapped: entry.wrapped, envelope };
  }

  /** Deliver one entry as a `commit` message; the party's state becomes the transition's. */
  deliver(to: Party, entry: LogEntry = this.latest(), tamper?: Tamper): TransitionResult {
    const message = tamper ? tamper(this.messageFor(entry, to), to) : this.messageFor(entry, to);
    const result = transition(to.state, { type: 'commit', ...message });
    to.state = result.state;
    return result;
  }

  /** Deliver the latest entry to each party in turn; returns each result in the same order. */
  broadcast(to: readonly Party[], tamper?: Tamper): TransitionResult[] {
    return to.map((p) => this.deliver(p, this.latest(), tamper));
  }

  /** Answer a `sync`: the lobby record, then the log from `fromEpoch` on, as one `log` event. */
  sync(to: Party, fromEpoch = 0, tamper?: Tamper): TransitionResult {
    const before = to.state;
    if (this.lobby !== undefined) {
      const read = transition(to.state, { type: 'lobby', wrapped: this.lobby });
      if (read.error !== undefined) return read;
      to.state = read.state;
    }
    const commits = this.log.filter((e) => e.epoch >= fromEpoch).map((e) => (tamper ? tamper(this.messageFor(e, to), to) : this.messageFor(e, to)));
    const result = transition(to.state, { type: 'log', commits });
    to.state = result.error === undefined ? result.state : before;
    return result;
  }

  latest(): LogEntry {
    const entry = this.log[this.log.length - 1];
    if (entry === undefined) throw new Error('the relay holds no commit yet');
    return entry;
  }
}
