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

/**
 * [M1] Per-sender media signatures (decision 0016): the page's media signing key lives in the
 * media Worker, which signs what this page sends and checks what the others send.
 */
export interface SignedMedia {
  /** This page's media signing key, once the Worker has made it. */
  ownKey(): Promise<Uint8Array>;
  /** The room whose batches are signed and checked (part of what is signed). */
  room(roomId: Uint8Array): void;
  /** A member's verified statement: its batches under `kid` in page life `life` are signed with `publicKey`. */
  signer(kid: bigint, life: number, publicKey: Uint8Array): void;
  /** A relayed batch, checked in the Worker. */
  batch(bytes: Uint8Array): void;
  /** Called with each batch this page signed, to relay to every member. */
  onBatch(handler: (bytes: Uint8Array) => void): () => void;
  /** Called with KIDs whose batches arrive but whose sender's statement never did. */
  onMissingSigners(handler: (kids: readonly bigint[]) => void): () => void;
  /** This page's socket is back: batches relayed while it was away never arrived. */
  resynced(): void;
}

export interface MediaSink {
  /** Present where media is signed (the app); absent in sinks that only record keys. */
  readonly signed?: SignedMedia;
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
