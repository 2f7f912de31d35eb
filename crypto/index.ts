// Public surface of crypto/. Re-exports only.
export * from './errors';
export * from './bytes';
export * from './labels';
export * from './sodium';
export * from './kdf';
export * from './identity';
export * from './link';
export * from './wrap';
