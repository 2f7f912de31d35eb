// The chat as this page shows it. A line is shown once per (sender identity, message id), however
// often the relay or a resend delivers it, and each sender's lines stand in the order of their
// app-message seq. Lines from different senders stand in the order they arrived. Every change
// makes a new array, so a view can hold `lines` as raw state.

/** Lines kept on screen; older ones scroll away for good (the ids stay known, for de-duplication). */
export const MAX_LINES = 1000;

export type LineStatus = 'sending' | 'sent' | 'received';

export interface ChatLine {
  /** Unique in the log. */
  readonly key: string;
  /** The sender's name from the signed member list. */
  readonly name: string;
  readonly text: string;
  readonly own: boolean;
  /** Own lines are `sending` until the server acknowledges them, then `sent`. */
  readonly status: LineStatus;
}

export interface Received {
  /** The sender's identity key, base64url. */
  readonly sender: string;
  readonly messageId: string;
  readonly seq: bigint;
  readonly name: string;
  readonly text: string;
}

interface Entry {
  readonly line: ChatLine;
  /** Set on received lines only: own lines have no sender to be ordered against. */
  readonly from?: { readonly sender: string; readonly seq: bigint };
}

export class ChatLog {
  #entries: readonly Entry[] = [];
  readonly #seen = new Set<string>();
  #lines: readonly ChatLine[] = [];

  get lines(): readonly ChatLine[] {
    return this.#lines;
  }

  /** Add a received line; false (and nothing changes) if this sender's message id is already shown. */
  receive(r: Received): boolean {
    const key = `${r.sender}.${r.messageId}`;
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    const entry: Entry = { line: { key, name: r.name, text: r.text, own: false, status: 'received' }, from: { sender: r.sender, seq: r.seq } };
    // Before the first line of the same sender with a higher seq, if any; else last.
    const later = this.#entries.findIndex((e) => e.from?.sender === r.sender && e.from.seq > r.seq);
    const at = later === -1 ? this.#entries.length : later;
    this.#set([...this.#entries.slice(0, at), entry, ...this.#entries.slice(at)]);
    return true;
  }

  /** Add a line this page is sending. */
  own(messageId: string, name: string, text: string): void {
    this.#set([...this.#entries, { line: { key: `own.${messageId}`, name, text, own: true, status: 'sending' } }]);
  }

  /** The server acknowledged an own line. */
  sent(messageId: string): void {
    const key = `own.${messageId}`;
    this.#set(this.#entries.map((e) => (e.line.key === key ? { line: { ...e.line, status: 'sent' } } : e)));
  }

  #set(entries: readonly Entry[]): void {
    this.#entries = entries.length > MAX_LINES ? entries.slice(entries.length - MAX_LINES) : entries;
    this.#lines = this.#entries.map((e) => e.line);
  }
}
