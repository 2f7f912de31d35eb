// What the session core needs of the page's media encryption (e2ee/media-keys.svelte.ts in the
// app, a recorder in the tests): somewhere to install each epoch's keys, a way to hold sending
// back, and word of frames under an epoch newer than the ones installed.

export interface EpochKeys {
  readonly epoch: number;
  /** KID -> base key, and the participant the signed member list gives that KID, for every member of the epoch. */
  readonly keys: ReadonlyMap<bigint, { readonly baseKey: Uint8Array; readonly owner: string }>;
  /** This page's own KID in the epoch and the page life it sends in, or null when it must not send (receive only). */
  readonly send: { readonly kid: bigint; readonly life: number } | null;
}

export interface MediaSink {
  install(keys: EpochKeys): void;
  /** Stop sending, keeping every key, until release(). */
  hold(): void;
  release(): void;
  /** Called whenever frames arrive under an epoch newer than the installed ones. */
  onNewerEpoch(handler: (epoch: number) => void): () => void;
}

/** Time, as the session core reads and waits on it (performance.now and setTimeout in the app). */
export interface Clock {
  now(): number;
  after(ms: number, run: () => void): () => void;
}

export const PAGE_CLOCK: Clock = {
  now: () => performance.now(),
  after(ms, run) {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};
