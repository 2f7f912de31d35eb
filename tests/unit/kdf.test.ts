import { describe, expect, it } from 'vitest';
import { Writer, utf8, kdf, labelledHash, Label, sodium } from '../../crypto/index';

const key = Uint8Array.from({ length: 32 }, (_, i) => i);
const context = utf8('context');

describe('kdf', () => {
  it('is keyed BLAKE2b over u16 len || label || context, as documented', () => {
    const framed = new Writer().vec16(utf8(Label.joinMac)).bytes(context).finish();
    expect(kdf(key, Label.joinMac, context)).toEqual(sodium().crypto_generichash(32, framed, key));
    expect(labelledHash(Label.commitHash, context)).toEqual(sodium().crypto_generichash(32, new Writer().vec16(utf8(Label.commitHash)).bytes(context).finish(), null));
  });

  it('is deterministic', () => {
    expect(kdf(key, Label.appMessageKey, context)).toEqual(kdf(key.slice(), Label.appMessageKey, context.slice()));
  });

  it('changes with the key, the label, the context and the output length', () => {
    const base = kdf(key, Label.appMessageKey, context);
    const otherKey = key.slice();
    otherKey[0] = 0xff;
    expect(kdf(otherKey, Label.appMessageKey, context)).not.toEqual(base);
    expect(kdf(key, Label.sframeBaseKey, context)).not.toEqual(base);
    expect(kdf(key, Label.appMessageKey, utf8('contexu'))).not.toEqual(base);
    expect(kdf(key, Label.appMessageKey, context, 64).subarray(0, 32)).not.toEqual(base);
  });

  it('separates label and context: moving bytes between them changes the output', () => {
    // Without the length prefix, ("…/call", "X") and ("…/cal", "lX") would hash the same bytes.
    const label = Label.callCode;
    const unframed = sodium().crypto_generichash(32, utf8(`${label}X`), key);
    expect(kdf(key, label, utf8('X'))).not.toEqual(unframed);
  });

  it('unkeyed labelled hashes differ from keyed derivations of the same input', () => {
    expect(labelledHash(Label.commitHash, context)).not.toEqual(kdf(key, Label.commitHash, context));
  });
});
