import { describe, expect, it } from 'vitest';
import {
  Writer,
  toBase64Url,
  commitHash,
  appMessageKey,
  commitToSecret,
  commitKey,
  handoffKey,
  sframeBaseKey,
  fingerprint,
  kdf,
  labelledHash,
  Label,
  deriveLinkKeys,
  CipherSuite,
  deriveSFrameKeyMaterial,
  sodium,
} from '../../crypto/index';

const values = Object.values(Label) as string[];
type LabelValue = (typeof Label)[keyof typeof Label];

function noneIsPrefixOfAnother(named: ReadonlyMap<string, Uint8Array | string>): string[] {
  const clashes: string[] = [];
  const entries = [...named];
  for (const [nameA, a] of entries) {
    for (const [nameB, b] of entries) {
      if (nameA === nameB) continue;
      const textA = typeof a === 'string' ? a : toBase64Url(a);
      const textB = typeof b === 'string' ? b : toBase64Url(b);
      // Compare bytes, not base64 text, so that a prefix is caught whatever the alignment.
      const bytesA = typeof a === 'string' ? new TextEncoder().encode(a) : a;
      const bytesB = typeof b === 'string' ? new TextEncoder().encode(b) : b;
      const n = Math.min(bytesA.length, bytesB.length);
      if (bytesA.subarray(0, n).every((x, i) => x === bytesB[i])) clashes.push(`${nameA} (${textA}) / ${nameB} (${textB})`);
    }
  }
  return clashes;
}

describe('labels', () => {
  it('are all distinct', () => {
    expect(new Set(values).size).toBe(values.length);
  });

  it('are never a prefix of one another', () => {
    expect(noneIsPrefixOfAnother(new Map(Object.entries(Label)))).toEqual([]);
  });

  it('all carry the sealroom/v1/ prefix, except the two fixed by RFC 9605', () => {
    const foreign = values.filter((v) => !v.startsWith('sealroom/v1/'));
    expect(foreign.sort()).toEqual([Label.sframeKey, Label.sframeSalt].sort());
  });

  it('the prefix check itself catches a prefix and an equal pair', () => {
    expect(noneIsPrefixOfAnother(new Map([['a', 'sealroom/v1/x'], ['b', 'sealroom/v1/x/y']]))).toHaveLength(2);
    expect(noneIsPrefixOfAnother(new Map([['a', Uint8Array.of(1, 2)], ['b', Uint8Array.of(1, 2)]]))).toHaveLength(2);
  });
});

describe('derived secrets from one input', () => {
  const input = sodium().randombytes_buf(32);
  const roomId = sodium().randombytes_buf(16);
  const context = new Writer().bytes(roomId).u64(7).finish();

  it('no protocol derivation of one secret is a prefix of another', async () => {
    const link = deriveLinkKeys(input, roomId);
    const sframe = await deriveSFrameKeyMaterial(CipherSuite.AES_128_GCM_SHA256_128, input, 7n << 6n);
    const derived = new Map<string, Uint8Array>([
      ['link accessToken', link.accessToken],
      ['link accessVerifier', link.accessVerifier],
      ['link roomInfoKey', link.roomInfoKey],
      ['link joinMacKey', link.joinMacKey],
      ['link lobbyKey', link.lobbyKey],
      ['epoch commitKey', commitKey(input, roomId, 7)],
      ['epoch handoffKey', handoffKey(input, roomId, 7)],
      ['identity fingerprint', fingerprint(input)],
      ['epoch secretCommitment', commitToSecret(input, roomId, 7)],
      ['epoch sframeBaseKey 0', sframeBaseKey(input, roomId, 7, 0)],
      ['epoch sframeBaseKey 1', sframeBaseKey(input, roomId, 7, 1)],
      ['epoch sframeBaseKey 63', sframeBaseKey(input, roomId, 7, 63)],
      ['epoch sframeBaseKey next epoch', sframeBaseKey(input, roomId, 8, 0)],
      ['epoch appMessageKey', appMessageKey(input, roomId, 7)],
      ['epoch confirmKey', kdf(input, Label.epochConfirmKey, context)],
      ['commit hash', commitHash(input)],
      ['sframe key', sframe.sframeKey],
      ['sframe salt', sframe.sframeSalt],
    ]);
    expect(noneIsPrefixOfAnother(derived)).toEqual([]);
  });

  it('no two labels give outputs where one is a prefix of the other, at 32 and 64 bytes', () => {
    const derived = new Map<string, Uint8Array>();
    for (const [name, label] of Object.entries(Label) as [string, LabelValue][]) {
      derived.set(`kdf32 ${name}`, kdf(input, label, context, 32));
      derived.set(`kdf64 ${name}`, kdf(input, label, context, 64));
      derived.set(`hash ${name}`, labelledHash(label, context));
    }
    expect(derived.size).toBe(values.length * 3);
    expect(noneIsPrefixOfAnother(derived)).toEqual([]);
  });
});
