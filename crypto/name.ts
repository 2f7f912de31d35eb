// Display names as they travel inside join requests and commits: UTF-8, 1..64 bytes.
// The server never sees them (both formats are sealed or wrapped before they leave the client).
import { fromUtf8, utf8 } from './bytes';
import { CodecError, Reason } from './errors';
import { MAX_NAME_BYTES } from './limits';

/** UTF-8 bytes of a display name; throws CodecError if it is empty or longer than 64 bytes. */
export function encodeDisplayName(name: string): Uint8Array {
  const bytes = utf8(name);
  assertNameLength(bytes.length);
  return bytes;
}

/** The display name in `bytes`; throws CodecError for bad UTF-8 or a length outside 1..64. */
export function decodeDisplayName(bytes: Uint8Array): string {
  assertNameLength(bytes.length);
  return fromUtf8(bytes);
}

function assertNameLength(length: number): void {
  if (length < 1) throw new CodecError(Reason.malformed, 'display name is empty');
  if (length > MAX_NAME_BYTES) throw new CodecError(Reason.fieldTooLong, `display name is ${length} bytes, above ${MAX_NAME_BYTES}`);
}
