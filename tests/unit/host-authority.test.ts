// crypto/host-authority.ts: the byte layout of the host proof and hand-over statements (pinned),
// and that the server's node:crypto check and crypto/'s libsodium check agree on them.
import { describe, expect, it } from 'vitest';
import { fromBase64Url, generateHostKey, handOverMessage, hostProofMessage, signHostStatement, toBase64Url, verifyHostStatement, VerificationError } from '../../crypto/index';
import { checkHandOver, checkHostProof } from '../../server/host-authority';

const room = new Uint8Array(16).fill(1);
const nonce = new Uint8Array(32).fill(2);
const pid = new Uint8Array(16).fill(3);
const key = new Uint8Array(32).fill(4);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('host authority statements', () => {
  it('lays out the host proof as version || vec16(label) || room id || nonce', () => {
    const label = Buffer.from('sealroom/v1/sig/server-host-proof').toString('hex');
    expect(hex(hostProofMessage(room, nonce))).toBe(`010021${label}${'01'.repeat(16)}${'02'.repeat(32)}`);
  });

  it('lays out the hand-over as version || vec16(label) || room id || u64 epoch || participant id || host key', () => {
    const label = Buffer.from('sealroom/v1/sig/server-host-handover').toString('hex');
    expect(hex(handOverMessage(room, 258, pid, key))).toBe(`010024${label}${'01'.repeat(16)}0000000000000102${'03'.repeat(16)}${'04'.repeat(32)}`);
  });

  it('refuses inputs of the wrong length', () => {
    expect(() => hostProofMessage(room.subarray(1), nonce)).toThrow(/room id/);
    expect(() => hostProofMessage(room, nonce.subarray(1))).toThrow(/nonce/);
    expect(() => handOverMessage(room, 0, pid, key.subarray(1))).toThrow(/host key/);
  });

  it('is checked the same way by libsodium and by the server (node:crypto)', () => {
    const host = generateHostKey();
    const roomId = toBase64Url(room);
    const proof = signHostStatement(host, hostProofMessage(room, nonce));
    verifyHostStatement(host.publicKey, hostProofMessage(room, nonce), proof);
    expect(checkHostProof(host.publicKey, roomId, nonce, toBase64Url(proof))).toBe(true);
    expect(checkHostProof(generateHostKey().publicKey, roomId, nonce, toBase64Url(proof))).toBe(false);
    expect(checkHostProof(host.publicKey, roomId, new Uint8Array(32), toBase64Url(proof))).toBe(false);
    expect(() => verifyHostStatement(generateHostKey().publicKey, hostProofMessage(room, nonce), proof)).toThrow(VerificationError);

    const next = generateHostKey();
    const to = toBase64Url(pid);
    const handOver = toBase64Url(signHostStatement(host, handOverMessage(room, 7, fromBase64Url(to), next.publicKey)));
    expect(checkHandOver(host.publicKey, roomId, 7, to, next.publicKey, handOver)).toBe(true);
    expect(checkHandOver(host.publicKey, roomId, 8, to, next.publicKey, handOver)).toBe(false);
    expect(checkHandOver(next.publicKey, roomId, 7, to, next.publicKey, handOver)).toBe(false);
    expect(checkHandOver(host.publicKey, roomId, 7, to, host.publicKey, handOver)).toBe(false);
    expect(checkHandOver(host.publicKey, roomId, 7, to, next.publicKey, 'A'.repeat(86))).toBe(false);
  });
});
