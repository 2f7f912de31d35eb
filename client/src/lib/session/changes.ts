// One "something changed" signal shared by a session's parts. The core is plain TypeScript; a view
// (e2ee/secure-room.svelte.ts) subscribes and re-reads what it shows. No payload: readers read.
export class Changes {
  readonly #listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
