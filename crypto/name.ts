// Display names as they travel inside join requests and commits, and one rule for what a name may
// be, checked where it is typed (the client's cleanName), where it is encoded, and again where it
// is decoded from a join request or a commit (so a hand-made knock or commit cannot carry another):
//
//   canonical form: Unicode NFC; no control (Cc), format (Cf: zero-width, bidi embeddings,
//   overrides and isolates, the byte-order mark), line or paragraph separators; each run of white
//   space one U+0020; no leading or trailing space; 1..MAX_NAME_CHARS code points.
//
// A right-to-left override that renders "Alice · host" out of other letters, a zero-width space
// that makes "Ali\u200Bce" a second Alice, and a decomposed "é" all fail. The price: emoji joined
// with U+200D and Persian words written with a zero-width non-joiner lose that character.
// The server never sees names (both formats are sealed or wrapped before they leave the client).
import { fromUtf8, utf8 } from './bytes';
import { CodecError, Reason } from './errors';
import { MAX_NAME_BYTES, MAX_NAME_CHARS } from './limits';

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

function uncut(raw: string): string {
  return raw.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim();
}

/** The canonical form of what someone typed, cut to MAX_NAME_CHARS code points; '' if nothing is left. */
export function canonicalName(raw: string): string {
  return [...uncut(raw)].slice(0, MAX_NAME_CHARS).join('').trim();
}

/** Code points in the canonical form of what someone typed, before any cut (above MAX_NAME_CHARS: too long). */
export function canonicalLength(raw: string): number {
  return [...uncut(raw)].length;
}

/** UTF-8 bytes of a display name; throws CodecError unless it is non-empty and canonical. */
export function encodeDisplayName(name: string): Uint8Array {
  assertCanonical(name);
  return utf8(name);
}

/** The display name in `bytes`; throws CodecError for bad UTF-8, a bad length or a non-canonical name. */
export function decodeDisplayName(bytes: Uint8Array): string {
  if (bytes.length > MAX_NAME_BYTES) throw new CodecError(Reason.fieldTooLong, `display name is ${bytes.length} bytes, above ${MAX_NAME_BYTES}`);
  const name = fromUtf8(bytes);
  assertCanonical(name);
  return name;
}

function assertCanonical(name: string): void {
  if (name.length === 0) throw new CodecError(Reason.malformed, 'display name is empty');
  const chars = [...name].length;
  if (chars > MAX_NAME_CHARS) throw new CodecError(Reason.fieldTooLong, `display name is ${chars} characters, above ${MAX_NAME_CHARS}`);
  if (canonicalName(name) !== name) throw new CodecError(Reason.malformed, 'display name is not in canonical form (hidden, control or unnormalised characters, or extra spaces)');
}
