// One SFrame ciphertext, RFC 9605 §4.2 and §4.4.3-4.4.4: seal and open under a prepared key.
//
//   +----------------------+--------------------------------+-------------+
//   | SFrame header (1-17) | encrypted data (= plaintext's) | tag (Nt)    |
//   +----------------------+--------------------------------+-------------+
//   AAD = header || metadata      nonce = sframe_salt XOR CTR
//
// The metadata (for media: the clear prefix the packetizer needs) is not sent by this layer;
// the caller sends it where it must be seen and passes the same bytes to both ends.
//
// Hot path (bench/hotpath): the CTR comes as 32-bit halves, the KID's header bytes are computed
// once per key, and the nonce and AAD are written into two buffers the key owns and reuses. That
// is safe because every Aead reads its nonce and AAD before seal/open returns (aead.ts), and it
// matters in browsers: a fresh small typed array handed to WebCrypto costs microseconds there
// (docs/decisions/0014-media-hot-path.md).
import { CodecError, Reason, VerificationError } from '../errors';
import { type Aead, importAead } from './aead';
import { type KidEncoding, type SFrameHeaderFields, SFRAME_HEADER_MAX_BYTES, assertU64, headerLengthOf, joinU64, kidEncoding, writeSFrameHeader } from './header';
import { assertBaseKey, deriveSFrameKeyMaterial, writeNonce } from './keys';
import { type CipherSuite, suiteParams } from './suites';

/** Metadata up to this length goes through the key's AAD buffer; longer metadata gets its own. */
const SCRATCH_METADATA_BYTES = 47;

/** The derived key of one KID under one suite: imported WebCrypto keys and the salt. */
export interface SFrameKey {
  readonly suite: CipherSuite;
  readonly kid: bigint;
  readonly salt: Uint8Array;
  readonly aead: Aead;
  /** The KID's part of every header under this key. */
  readonly kidHeader: KidEncoding;
  /** Reused for every frame's nonce and AAD (each filled and consumed synchronously). */
  readonly nonce: Uint8Array<ArrayBuffer>;
  readonly aad: Uint8Array<ArrayBuffer>;
  /** Views of `aad`'s first n bytes, by n, made once each (a view per call costs more than the AAD bytes). */
  readonly aadViews: (Uint8Array<ArrayBuffer> | undefined)[];
}

/** Runs the §4.4.2 key schedule once; the result serves every frame of that KID. */
export async function prepareSFrameKey(suite: CipherSuite, baseKey: Uint8Array, kid: bigint): Promise<SFrameKey> {
  suiteParams(suite);
  assertBaseKey(baseKey);
  assertU64(kid, 'KID');
  const { sframeKey, sframeSalt } = await deriveSFrameKeyMaterial(suite, baseKey, kid);
  return {
    suite,
    kid,
    salt: sframeSalt,
    aead: await importAead(suite, sframeKey),
    kidHeader: kidEncoding(kid),
    // Views of ArrayBuffers made here, so no engine has to move them off its heap per call.
    nonce: new Uint8Array(new ArrayBuffer(sframeSalt.length)),
    aad: new Uint8Array(new ArrayBuffer(SFRAME_HEADER_MAX_BYTES + SCRATCH_METADATA_BYTES)),
    aadViews: [],
  };
}

/** The key's AAD buffer when `length` fits it, else a fresh one. */
function aadRoom(key: SFrameKey, length: number): Uint8Array<ArrayBuffer> {
  return length <= key.aad.length ? key.aad : new Uint8Array(length);
}

/** The first `length` bytes of `room` as a view. */
function aadView(key: SFrameKey, room: Uint8Array<ArrayBuffer>, length: number): Uint8Array<ArrayBuffer> {
  if (room !== key.aad) return room;
  let view = key.aadViews[length];
  if (view === undefined) {
    view = new Uint8Array(room.buffer, 0, length);
    key.aadViews[length] = view;
  }
  return view;
}

const NO_BYTES = new Uint8Array(0);

/**
 * header || AEAD.Encrypt(sframe_key, nonce, header || metadata, plaintext) for the CTR hi:lo. The
 * caller owns CTR uniqueness. `lead` (default none) is copied unchanged in front of the result, so
 * media framing gets prefix || SFrame in one buffer with one copy; it is authenticated only if it
 * is also in `metadata`.
 */
export function sealFrame(key: SFrameKey, ctrHi: number, ctrLo: number, metadata: Uint8Array, plaintext: Uint8Array, lead: Uint8Array = NO_BYTES): Promise<Uint8Array> {
  const headerLength = headerLengthOf(key.kidHeader, ctrHi, ctrLo);
  const aad = aadRoom(key, headerLength + metadata.length);
  writeSFrameHeader(aad, 0, key.kidHeader, ctrHi, ctrLo);
  aad.set(metadata, headerLength);
  writeNonce(key.nonce, key.salt, ctrHi, ctrLo);
  return key.aead.sealThen(key.nonce, aadView(key, aad, headerLength + metadata.length), plaintext, (body) => {
    const out = new Uint8Array(lead.length + headerLength + body.length);
    out.set(lead);
    writeSFrameHeader(out, lead.length, key.kidHeader, ctrHi, ctrLo);
    out.set(body, lead.length + headerLength);
    return out;
  });
}

/**
 * Opens `frame`, whose header was already parsed into `header` (so the caller could pick the key),
 * and hands the plaintext to `finish` in the same promise step (the hot path counts its hops).
 * Rejects with CodecError(truncated) if the body is shorter than the tag, and with
 * VerificationError(auth-failed) if any authenticated byte (header, metadata, ciphertext, tag)
 * differs from what was sealed; `finish` is then never called.
 */
export function openFrame<T>(key: SFrameKey, header: SFrameHeaderFields, frame: Uint8Array, metadata: Uint8Array, finish: (plaintext: Uint8Array) => T): Promise<T> {
  const body = frame.subarray(header.length);
  if (body.length < key.aead.tagLength) {
    return Promise.reject(new CodecError(Reason.truncated, `SFrame frame with KID ${key.kid} is shorter than its tag`));
  }
  const aad = aadRoom(key, header.length + metadata.length);
  for (let i = 0; i < header.length; i++) aad[i] = frame[i] as number;
  aad.set(metadata, header.length);
  writeNonce(key.nonce, key.salt, header.ctrHi, header.ctrLo);
  const { ctrHi, ctrLo } = header;
  return key.aead.openThen(key.nonce, aadView(key, aad, header.length + metadata.length), body, (plaintext) => {
    if (plaintext === undefined) {
      throw new VerificationError(Reason.authFailed, `SFrame frame with KID ${key.kid}, CTR ${joinU64(ctrHi, ctrLo)} failed authentication`);
    }
    return finish(plaintext);
  });
}
