// A room's newest host commits, kept so members can resync after a reconnect or a reload (`sync`).
//
// Bounds: at most MAX_LOG_COMMITS entries and MAX_LOG_BYTES of stored text; the oldest commits
// are dropped first. Nobody needs the rest: a member whose head is older than what is kept, and a
// joiner, accept the oldest commit they can open as a snapshot, checked against the lobby record's
// hand-overs (crypto/chain.ts), so a room that has seen 10,000 commits is as joinable as a new
// one. The last accepted epoch survives eviction, so a trimmed log never lets an old epoch in again.
import { MAX_LOG_BYTES, MAX_LOG_COMMITS } from '../protocol/limits';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type ServerMessage } from '../protocol/protocol';


export interface LoggedCommit {
  readonly epoch: number;
  readonly commit: string;
  readonly envelopes: ReadonlyMap<string, string>;
  readonly bytes: number;
}

export interface CommitItem {
  epoch: number;
  commit: string;
  envelope?: string;
}

export class CommitLog {
  private entries: LoggedCommit[] = [];
  private totalBytes = 0;
  private last: number | null = null;

  constructor(
    private readonly maxCommits = MAX_LOG_COMMITS,
    private readonly maxBytes = MAX_LOG_BYTES,
  ) {}

  get lastEpoch(): number | null {
    return this.last;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Caller has checked that `epoch` is above `lastEpoch`. */
  append(epoch: number, commit: string, envelopes: Record<string, string>): void {
    const map = new Map(Object.entries(envelopes));
    let bytes = commit.length;
    for (const [id, env] of map) bytes += id.length + env.length;
    this.entries.push({ epoch, commit, envelopes: map, bytes });
    this.totalBytes += bytes;
    this.last = epoch;
    while (this.entries.length > this.maxCommits || (this.totalBytes > this.maxBytes && this.entries.length > 1)) {
      const dropped = this.entries.shift();
      if (dropped) this.totalBytes -= dropped.bytes;
    }
  }

  after(afterEpoch: number | undefined): LoggedCommit[] {
    return afterEpoch === undefined ? [...this.entries] : this.entries.filter((e) => e.epoch > afterEpoch);
  }
}

/**
 * Pack items, in order, into `commits` messages of at most MAX_MESSAGE_BYTES each (at least one
 * message). The lobby record, when there is one, rides in the first, so a client holds the
 * hand-overs before it reads a commit that needs them.
 */
export function chunkCommits(items: readonly CommitItem[], limit = MAX_MESSAGE_BYTES, lobby?: string): ServerMessage[] {
  const empty = (): { v: typeof PROTOCOL_VERSION; type: 'commits'; commits: CommitItem[] } => ({ v: PROTOCOL_VERSION, type: 'commits', commits: [] });
  const overhead = JSON.stringify(empty()).length;
  const out: ServerMessage[] = [];
  let current: ReturnType<typeof empty> & { lobby?: string } = lobby === undefined ? empty() : { ...empty(), lobby };
  let length = JSON.stringify(current).length;
  for (const item of items) {
    const itemLength = JSON.stringify(item).length;
    if (current.commits.length > 0 && length + 1 + itemLength > limit) {
      out.push(current);
      current = empty();
      length = overhead;
    }
    length += (current.commits.length > 0 ? 1 : 0) + itemLength;
    current.commits.push(item);
  }
  out.push(current);
  return out.map((part, i) => (i < out.length - 1 ? { ...part, more: true as const } : part));
}
