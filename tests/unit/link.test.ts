import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  toBase64Url,
  CodecError,
  Reason,
  kdf,
  labelledHash,
  Label,
  deriveAccessKeys,
  deriveLinkKeys,
  formatFragment,
  generateLinkSecret,
  parseFragment,
  roomIdBytes,
  sodium,
} from '../../crypto/index';
import { expectError } from '../scenario/errors';

const fragment = () => ({ linkSecret: generateLinkSecret(), hostFingerprint: sodium().randombytes_buf(32) });

describe('link fragment', () => {
  it('round-trips, with or without the leading #', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (linkSecret, hostFingerprint) => {
        const text = formatFragment({ linkSecret, hostFingerprint });
        expect(text).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
        expect(parseFragment(text)).toEqual({ linkSecret, hostFingerprint });
        expect(parseFragment(`#${text}`)).toEqual({ linkSecret, hostFingerprint });
      }),
    );
  });

  it('reports a damaged link as a codec error', () => {
    const good = formatFragment(fragment());
    const [secret, fp] = good.split('.') as [string, string];
    const damaged = [
      secret, // no fingerprint
      `${good}.x`, // a third part
      `${secret.slice(1)}.${fp}`, // secret one character short
      `${secret}.${fp}AA`, // fingerprint too long
      `${secret.slice(0, -1)}*.${fp}`, // invalid character
      `${secret.slice(0, -1)}B.${fp}`, // non-canonical last character
      '',
    ];
    for (const text of damaged) expectError(() => parseFragment(text), CodecError, Reason.malformed);
  });

  it('refuses to format secrets or fingerprints of the wrong length', () => {
    expectError(() => formatFragment({ linkSecret: new Uint8Array(31), hostFingerprint: new Uint8Array(32) }), CodecError, Reason.malformed);
  });
});

describe('room ids', () => {
  it('are 16 bytes written as 22 base64url characters', () => {
    const bytes = sodium().randombytes_buf(16);
    expect(roomIdBytes(toBase64Url(bytes))).toEqual(bytes);
    expectError(() => roomIdBytes(toBase64Url(sodium().randombytes_buf(15))), CodecError, Reason.malformed);
    expectError(() => roomIdBytes('!'.repeat(22)), CodecError, Reason.malformed);
  });
});

describe('link keys', () => {
  it('are derived as documented, bound to the room id where stated', () => {
    const secret = generateLinkSecret();
    const roomId = sodium().randombytes_buf(16);
    const keys = deriveLinkKeys(secret, roomId);
    const empty = new Uint8Array(0);
    expect(keys.accessToken).toEqual(kdf(secret, Label.accessToken, empty));
    expect(keys.accessVerifier).toEqual(labelledHash(Label.accessVerifier, keys.accessToken));
    expect(keys.roomInfoKey).toEqual(kdf(secret, Label.roomInfoKey, empty));
    expect(keys.joinMacKey).toEqual(kdf(secret, Label.joinMacKey, roomId));
    expect(keys.lobbyKey).toEqual(kdf(secret, Label.lobbyKey, roomId));
    expect(deriveAccessKeys(secret)).toEqual({ accessToken: keys.accessToken, accessVerifier: keys.accessVerifier, roomInfoKey: keys.roomInfoKey });
  });

  it('differ between rooms and between link secrets', () => {
    const secret = generateLinkSecret();
    const roomId = sodium().randombytes_buf(16);
    const keys = deriveLinkKeys(secret, roomId);
    const otherRoom = deriveLinkKeys(secret, sodium().randombytes_buf(16));
    const otherSecret = deriveLinkKeys(generateLinkSecret(), roomId);
    expect(otherRoom.joinMacKey).not.toEqual(keys.joinMacKey);
    expect(otherRoom.lobbyKey).not.toEqual(keys.lobbyKey);
    expect(otherSecret.accessToken).not.toEqual(keys.accessToken);
    expect(otherSecret.lobbyKey).not.toEqual(keys.lobbyKey);
  });

  it('refuse a link secret or room id of the wrong length', () => {
    expectError(() => deriveLinkKeys(new Uint8Array(16), new Uint8Array(16)), CodecError, Reason.malformed);
    expectError(() => deriveLinkKeys(generateLinkSecret(), new Uint8Array(32)), CodecError, Reason.malformed);
  });
});
