// SHA-256 of bytes as lower-case hex, by WebCrypto (browsers and Node ≥ 20 alike).

export async function sha256Hex(bytes: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** How a version id (a manifest's SHA-256) is shown in short: its first 12 hex digits. */
export function shortVersion(manifestHash: string): string {
  return manifestHash.slice(0, 12);
}
