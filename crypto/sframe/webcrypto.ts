// The one door to WebCrypto (globalThis.crypto.subtle) for crypto/sframe, crypto/media and the
// benchmark. Present in Node 20+ and in browser Workers; nothing else is used.

/** WebCrypto's SubtleCrypto. Throws a plain Error where none exists (never expected). */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new Error('WebCrypto (crypto.subtle) is not available');
  return s;
}

/**
 * A view WebCrypto accepts. TypeScript types WebCrypto inputs as views of an ArrayBuffer; a view of
 * a SharedArrayBuffer is copied (WebCrypto refuses those), any other view is passed as is.
 */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
