// Loads the SFrame WG vector file that sits beside the project (../shared/vectors/, see its
// README) into the same shapes as rfc9605-appendix.ts. Absent on a user's fresh clone: then
// `loadWgVectors()` returns undefined and no test is registered for it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCipherSuite } from '../../crypto/index';
import { type AesCtrHmacVector, type HeaderVector, type SFrameVector } from './rfc9605-appendix';
import { parseJsonExact } from './exact-json';

/** tests/vectors -> repository root -> its parent, where shared/ lives. */
export const WG_VECTOR_FILE = join(import.meta.dirname, '..', '..', '..', 'shared', 'vectors', 'sframe-rfc9605.json');

export interface WgVectors {
  readonly header: readonly HeaderVector[];
  readonly aesCtrHmac: readonly AesCtrHmacVector[];
  readonly aes256CtrHmac: readonly AesCtrHmacVector[];
  readonly sframe: readonly SFrameVector[];
}

type Row = Record<string, unknown>;

function rows(file: Row, name: string): Row[] {
  const value = file[name];
  if (!Array.isArray(value)) throw new Error(`vector file has no "${name}" array`);
  return value as Row[];
}

function hex(row: Row, field: string): string {
  const value = row[field];
  if (typeof value !== 'string' || !/^([0-9a-f]{2})*$/.test(value)) throw new Error(`field ${field} is not lowercase hex`);
  return value;
}

function big(row: Row, field: string): bigint {
  const value = row[field];
  if (typeof value !== 'bigint') throw new Error(`field ${field} is not an integer`);
  return value;
}

function suite(row: Row) {
  const value = Number(big(row, 'cipher_suite'));
  if (!isCipherSuite(value)) throw new Error(`unknown cipher suite ${value}`);
  return value;
}

function aead(row: Row): AesCtrHmacVector {
  return {
    suite: suite(row),
    key: hex(row, 'key'),
    encKey: hex(row, 'enc_key'),
    authKey: hex(row, 'auth_key'),
    nonce: hex(row, 'nonce'),
    aad: hex(row, 'aad'),
    plaintext: hex(row, 'pt'),
    ciphertext: hex(row, 'ct'),
  };
}

export function loadWgVectors(path: string = WG_VECTOR_FILE): WgVectors | undefined {
  if (!existsSync(path)) return undefined;
  const file = parseJsonExact(readFileSync(path, 'utf8')) as Row;
  return {
    header: rows(file, 'header').map((r) => ({ kid: big(r, 'kid'), ctr: big(r, 'ctr'), header: hex(r, 'encoded') })),
    aesCtrHmac: rows(file, 'aes_ctr_hmac').map(aead),
    aes256CtrHmac: rows(file, 'aes_256_ctr_hmac').map(aead),
    sframe: rows(file, 'sframe').map((r) => ({
      suite: suite(r),
      kid: big(r, 'kid'),
      ctr: big(r, 'ctr'),
      baseKey: hex(r, 'base_key'),
      keyLabel: hex(r, 'sframe_key_label'),
      saltLabel: hex(r, 'sframe_salt_label'),
      secret: hex(r, 'sframe_secret'),
      sframeKey: hex(r, 'sframe_key'),
      sframeSalt: hex(r, 'sframe_salt'),
      metadata: hex(r, 'metadata'),
      nonce: hex(r, 'nonce'),
      aad: hex(r, 'aad'),
      plaintext: hex(r, 'pt'),
      ciphertext: hex(r, 'ct'),
    })),
  };
}
