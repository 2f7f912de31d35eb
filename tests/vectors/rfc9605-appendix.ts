// Known-answer vectors transcribed from RFC 9605, Appendix C ("Test Vectors"): C.1 header
// encoding (a subset), C.2 AEAD encryption with AES-CTR and HMAC (suites 1-3), C.3 SFrame
// encryption (suites 1-5). The values are the same as in the SFrame WG's test-vectors file
// (sframe-wg/sframe, test-vectors/test-vectors.json), of which RFC 9605 prints a rendering; this
// copy lets `npm test` check conformance on a fresh clone, where ../shared/vectors is absent.
// Layout is ours: hex strings, long ones split in 32-byte lines; KID/CTR as exact bigint literals.
import { CipherSuite } from '../../crypto/index';

export interface HeaderVector {
  readonly kid: bigint;
  readonly ctr: bigint;
  readonly header: string;
}

export interface AesCtrHmacVector {
  readonly suite: CipherSuite;
  readonly key: string;
  readonly encKey: string;
  readonly authKey: string;
  readonly nonce: string;
  readonly aad: string;
  readonly plaintext: string;
  /** ciphertext || truncated tag */
  readonly ciphertext: string;
}

export interface SFrameVector {
  readonly suite: CipherSuite;
  readonly kid: bigint;
  readonly ctr: bigint;
  readonly baseKey: string;
  readonly keyLabel: string;
  readonly saltLabel: string;
  /** HKDF-Extract("", base_key), the intermediate of §4.4.2. */
  readonly secret: string;
  readonly sframeKey: string;
  readonly sframeSalt: string;
  readonly metadata: string;
  readonly nonce: string;
  readonly aad: string;
  readonly plaintext: string;
  /** header || ciphertext || tag */
  readonly ciphertext: string;
}

/**
 * C.1, 28 of its 289 cases: every KID length (0-8 extra bytes) and every CTR length, all four
 * header forms of §4.3 Figure 4, and the 2^64-1 extremes.
 */
export const HEADER_VECTORS: readonly HeaderVector[] = [
  { kid: 0x0n, ctr: 0xffffffffffffffffn, header: '0fffffffffffffffff' },
  { kid: 0x1n, ctr: 0x0n, header: '10' },
  { kid: 0x1n, ctr: 0x1n, header: '11' },
  { kid: 0xffn, ctr: 0xffffffffffffffn, header: '8effffffffffffffff' },
  { kid: 0xffn, ctr: 0xffn, header: '88ffff' },
  { kid: 0x100n, ctr: 0xffffffffffffn, header: '9d0100ffffffffffff' },
  { kid: 0xffffn, ctr: 0x100n, header: '99ffff0100' },
  { kid: 0xffffn, ctr: 0xffffn, header: '99ffffffff' },
  { kid: 0x10000n, ctr: 0xffffffffffn, header: 'ac010000ffffffffff' },
  { kid: 0xffffffn, ctr: 0x10000n, header: 'aaffffff010000' },
  { kid: 0xffffffn, ctr: 0xffffffn, header: 'aaffffffffffff' },
  { kid: 0x1000000n, ctr: 0xffffffffn, header: 'bb01000000ffffffff' },
  { kid: 0xffffffffn, ctr: 0x1000000n, header: 'bbffffffff01000000' },
  { kid: 0xffffffffn, ctr: 0xffffffffn, header: 'bbffffffffffffffff' },
  { kid: 0x100000000n, ctr: 0xffffffn, header: 'ca0100000000ffffff' },
  { kid: 0xffffffffffn, ctr: 0x100000000n, header: 'ccffffffffff0100000000' },
  { kid: 0xffffffffffn, ctr: 0xffffffffffn, header: 'ccffffffffffffffffffff' },
  { kid: 0x10000000000n, ctr: 0xffffn, header: 'd9010000000000ffff' },
  { kid: 0xffffffffffffn, ctr: 0x10000000000n, header: 'ddffffffffffff010000000000' },
  { kid: 0xffffffffffffn, ctr: 0xffffffffffffn, header: 'ddffffffffffffffffffffffff' },
  { kid: 0x1000000000000n, ctr: 0xffn, header: 'e801000000000000ff' },
  { kid: 0xffffffffffffffn, ctr: 0x1000000000000n, header: 'eeffffffffffffff01000000000000' },
  { kid: 0xffffffffffffffn, ctr: 0xffffffffffffffn, header: 'eeffffffffffffffffffffffffffff' },
  { kid: 0x100000000000000n, ctr: 0x1n, header: 'f10100000000000000' },
  { kid: 0xffffffffffffffffn, ctr: 0x100000000000000n, header: 'ffffffffffffffffff0100000000000000' },
  { kid: 0xffffffffffffffffn, ctr: 0xffffffffffffffffn, header: 'ffffffffffffffffffffffffffffffffff' },
  { kid: 0x0n, ctr: 0x0n, header: '00' },
  { kid: 0xffffffffffffffffn, ctr: 0x0n, header: 'f0ffffffffffffffff' },
];

/** C.2 */
export const AES_CTR_HMAC_VECTORS: readonly AesCtrHmacVector[] = [
  {
    suite: CipherSuite.AES_128_CTR_HMAC_SHA256_80,
    key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' +
      '202122232425262728292a2b2c2d2e2f',
    encKey: '000102030405060708090a0b0c0d0e0f',
    authKey: '101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f',
    nonce: '101112131415161718191a1b',
    aad: '4945544620534672616d65205747',
    plaintext: '64726166742d696574662d736672616d652d656e63',
    ciphertext: '6339af04ada1d064688a442b8dc69d5b6bfa40f4bef0583e8081069cc60705',
  },
  {
    suite: CipherSuite.AES_128_CTR_HMAC_SHA256_64,
    key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' +
      '202122232425262728292a2b2c2d2e2f',
    encKey: '000102030405060708090a0b0c0d0e0f',
    authKey: '101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f',
    nonce: '101112131415161718191a1b',
    aad: '4945544620534672616d65205747',
    plaintext: '64726166742d696574662d736672616d652d656e63',
    ciphertext: '6339af04ada1d064688a442b8dc69d5b6bfa40f4be6e93b7da076927bb',
  },
  {
    suite: CipherSuite.AES_128_CTR_HMAC_SHA256_32,
    key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' +
      '202122232425262728292a2b2c2d2e2f',
    encKey: '000102030405060708090a0b0c0d0e0f',
    authKey: '101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f',
    nonce: '101112131415161718191a1b',
    aad: '4945544620534672616d65205747',
    plaintext: '64726166742d696574662d736672616d652d656e63',
    ciphertext: '6339af04ada1d064688a442b8dc69d5b6bfa40f4be09480509',
  },
];

/** C.3 */
export const SFRAME_VECTORS: readonly SFrameVector[] = [
  {
    suite: CipherSuite.AES_128_CTR_HMAC_SHA256_80,
    kid: 0x123n,
    ctr: 0x4567n,
    baseKey: '000102030405060708090a0b0c0d0e0f',
    keyLabel: '534672616d6520312e3020536563726574206b65792000000000000001230001',
    saltLabel: '534672616d6520312e30205365637265742073616c7420000000000000012300' +
      '01',
    secret: 'd926952ca8b7ec4a95941d1ada3a5203ceff8cceee34f574d23909eb314c40c0',
    sframeKey: '3f7d9a7c83ae8e1c8a11ae695ab59314b367e359fadac7b9c46b2bc6f81f46e1' +
      '6b96f0811868d59402b7e870102720b3',
    sframeSalt: '50b29329a04dc0f184ac3168',
    metadata: '4945544620534672616d65205747',
    nonce: '50b29329a04dc0f184ac740f',
    aad: '99012345674945544620534672616d65205747',
    plaintext: '64726166742d696574662d736672616d652d656e63',
    ciphertext: '9901234567449408b6f490086165b9d6f62b24ae1a59a56486b4ae8ed036b889' +
      '12e24f11',
  },
  {
    suite: CipherSuite.AES_128_CTR_HMAC_SHA256_64,
    kid: 0x123n,
    ctr: 0x4567n,
    baseKey: '000102030405060708090a0b0c0d0e0f',
    keyLabel: '534672616d6520312e3020536563726574206b65792000000000000001230002',
    saltLabel: '534672616d6520312e30205365637265742073616c7420000000000000012300' +
      '02',
    secret: 'd926952ca8b7ec4a95941d1ada3a5203ceff8cceee34f574d23909eb314c40c0',
    sframeKey: 'e2ec5c797540310483b16bf6e7a570d2a27d192fe869c7ccd8584a8d9dab9154' +
      '9fbe553f5113461ec6aa83bf3865553e',
    sframeSalt: 'e68ac8dd3d02fbcd368c5577',
    metadata: '4945544620534672616d65205747',
    nonce: 'e68ac8dd3d02fbcd368c1010',
    aad: '99012345674945544620534672616d65205747',
    plaintext: '64726166742d696574662d736672616d652d656e63',
    ciphertext: '99012345673f31438db4d09434e43afa0f8a2f00867a2be085046a9f5cb4f101' +
      'd607',
  },
  {
    suite: CipherSuite.AES_128_CTR_HMAC_SHA256_32,
    kid: 0x123n,
    ctr: 0x4567n,
    baseKey: '000102030405060708090a0b0c0d0e0f',
    keyLabel: '534672616d6520312e3020536563726574206b65792000000000000001230003',
    saltLabel: '534672616d6520312e30205365637265742073616c7420000000000000012300' +
      '03',
    secret: 'd926952ca8b7ec4a95941d1ada3a5203ceff8cceee34f574d23909eb314c40c0',
    sframeKey: '2c5703089cbb8c583475e4fc461d97d18809df79b6d550f78eb6d50ffa80d892' +
      '11d57909934f46f5405e38cd583c69fe',
    sframeSalt: '38c16e4f5159700c00c7f350',
    metadata: '4945544620534672616d65205747',
    nonce: '38c16e4f5159700c00c7b637',
    aad: '99012345674945544620534672616d65205747',
    plaintext: '64726166742d696574662d736672616d652d656e63',
    ciphertext: '990123456717fc8af28a5a695afcfc6c8df6358a17e26b2fcb3bae32e443',
  },
  {
    suite: CipherSuite.AES_128_GCM_SHA256_128,
    kid: 0x123n,
    ctr: 0x4567n,
    baseKey: '000102030405060708090a0b0c0d0e0f',
    keyLabel: '534672616d6520312e3020536563726574206b65792000000000000001230004',
    saltLabel: '534672616d6520312e30205365637265742073616c7420000000000000012300' +
      '04',
    secret: 'd926952ca8b7ec4a95941d1ada3a5203ceff8cceee34f574d23909eb314c40c0',
    sframeKey: 'd34f547f4ca4f9a7447006fe7fcbf768',
    sframeSalt: '75234edefe07819026751816',
    metadata: '4945544620534672616d65205747',
    nonce: '75234edefe07819026755d71',
    aad: '99012345674945544620534672616d65205747',
    plaintext: '64726166742d696574662d736672616d652d656e63',
    ciphertext: '9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0' +
      'b091c07018ce4adb34eb',
  },
  {
    suite: CipherSuite.AES_256_GCM_SHA512_128,
    kid: 0x123n,
    ctr: 0x4567n,
    baseKey: '000102030405060708090a0b0c0d0e0f',
    keyLabel: '534672616d6520312e3020536563726574206b65792000000000000001230005',
    saltLabel: '534672616d6520312e30205365637265742073616c7420000000000000012300' +
      '05',
    secret: '0fc3ea6de6aac97a35f194cf9bed94d4b5230f1cb45a785c9fe5dce9c188938a' +
      'b6ba005bc4c0a19181599e9d1bcf7b74aca48b60bf5e254e546d809313e083a3',
    sframeKey: 'd3e27b0d4a5ae9e55df01a70e6d4d28d969b246e2936f4b7a5d9b494da6b9633',
    sframeSalt: '84991c167b8cd23c93708ec7',
    metadata: '4945544620534672616d65205747',
    nonce: '84991c167b8cd23c9370cba0',
    aad: '99012345674945544620534672616d65205747',
    plaintext: '64726166742d696574662d736672616d652d656e63',
    ciphertext: '990123456794f509d36e9beacb0e261d99c7d1e972f1fed787d4049f17ca2135' +
      '3c1cc24d56ceabced279',
  },
];