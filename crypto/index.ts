// Public surface of crypto/, and its only door: nothing outside crypto/ imports another crypto/ path
// (tests/unit/crypto-door.test.ts). Re-exports only.
export * from './errors';
export * from './version';
export * from './bytes';
export * from './limits';
export * from './labels';
export * from './sodium';
export * from './kdf';
export * from './signer';
export * from './identity';
export * from './link';
export * from './wrap';
export * from './sframe/index';
// WebCrypto's SubtleCrypto and the raw RFC 9605 AEADs, for the known-answer vectors and the bench.
export { subtle } from './sframe/webcrypto';
export { type Aead, importAead } from './sframe/aead';
export * from './media/index';
export * from './name';
export * from './join';
export * from './commit';
export * from './epoch';
export * from './chain';
export * from './member';
export * from './lobby';
export * from './confirm';
export * from './safety';
export * from './knock-code';
export * from './words';
export * from './words-fr';
export * from './words-ar';
export * as host from './host';
export type { Admission, CreateRoomInput, HostResult } from './host';
export * from './app-message';
export * from './media-batch';
export * from './room-info';
export * from './host-authority';
