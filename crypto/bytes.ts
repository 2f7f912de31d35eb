// Byte helpers shared by every codec in crypto/: concatenation, constant-time comparison,
// big-endian integers, base64url, and a bounds-checked Reader/Writer pair.
import { CodecError, Reason } from './errors';
import { U64_MAX } from './limits';

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Constant-time for equal lengths; lengths themselves are not secret here. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CodecError(Reason.malformed, 'text field is not valid UTF-8');
  }
}

export function u16(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new CodecError(Reason.outOfRange, `u16 out of range: ${n}`);
  return Uint8Array.of(n >>> 8, n & 0xff);
}

export function u64(n: bigint | number): Uint8Array {
  const value = BigInt(n);
  if (value < 0n || value > U64_MAX) throw new CodecError(Reason.outOfRange, `u64 out of range: ${value}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}

// --- base64url (RFC 4648 §5), no padding. Pure so that link parsing needs no WebAssembly.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]!;
  }
  return out;
}

export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new CodecError(Reason.malformed, 'base64url text has an impossible length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (LOOKUP[c] as number) : -1;
    if (v < 0) throw new CodecError(Reason.malformed, `base64url text has an invalid character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  // Non-canonical encodings (stray low bits) are rejected so every value has one text form.
  if ((acc & ((1 << bits) - 1)) !== 0) throw new CodecError(Reason.malformed, 'base64url text is not canonical');
  return out;
}

// --- Reader / Writer for the binary formats drawn in each codec file.

export class Writer {
  private readonly parts: Uint8Array[] = [];
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }
  u8(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new CodecError(Reason.outOfRange, `u8 out of range: ${n}`);
    this.parts.push(Uint8Array.of(n));
    return this;
  }
  u16(n: number): this {
    this.parts.push(u16(n));
    return this;
  }
  u64(n: bigint | number): this {
    this.parts.push(u64(n));
    return this;
  }
  /** A byte string prefixed by its u16 length. */
  vec16(b: Uint8Array): this {
    return this.u16(b.length).bytes(b);
  }
  finish(): Uint8Array {
    return concat(...this.parts);
  }
}

export class Reader {
  private offset = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {}
  get remaining(): number {
    return this.data.length - this.offset;
  }
  bytes(n: number): Uint8Array {
    if (this.remaining < n) throw new CodecError(Reason.truncated, `${this.what} is truncated`);
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u8(): number {
    return this.bytes(1)[0] as number;
  }
  u16(): number {
    const b = this.bytes(2);
    return ((b[0] as number) << 8) | (b[1] as number);
  }
  u64(): bigint {
    const b = this.bytes(8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
  }
  vec16(max: number): Uint8Array {
    const n = this.u16();
    if (n > max) throw new CodecError(Reason.fieldTooLong, `${this.what} has a field of ${n} bytes, above ${max}`);
    return this.bytes(n);
  }
  /** Every format is exact: bytes after the last field are an error, never ignored. */
  end(): void {
    if (this.remaining !== 0) throw new CodecError(Reason.trailingBytes, `${this.what} has ${this.remaining} trailing bytes`);
  }
}
