// The identity key at rest, attacked by a script on the origin, in Chromium and Firefox ESR. The
// script (page.evaluate, standing for any script injected into the page) opens the app's IndexedDB,
// reads this profile's identity record and tries every way to take the private key away: the
// record's own bytes, and exportKey in each format. Whatever it takes out is handed to the test,
// which tries to sign a forged commit with it as the host the link names.
//
// What this proves (SECURITY.md, claims table, [ID1]):
//   - the stored identity is a WebCrypto Ed25519 CryptoKey with extractable false: exportKey
//     throws in every format and the record holds no private key bytes, so nothing taken from
//     the origin signs a commit that members' verification accepts;
//   - the page still signs normally with it: it creates a room, admits a guest and chats;
//   - a seed record left by an older version is migrated into such a key on the next load, and the
//     identity (the link's host fingerprint) stays the same.
// What it does not claim: a script running on the origin can still ask the browser to sign with
// the key while it runs there (it uses the key, it cannot take it away).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ZERO_HASH,
  decodeIdentity,
  decodeSignedCommit,
  encodeIdentity,
  equalBytes,
  fingerprint,
  generateIdentity,
  generateRoomKey,
  parseFragment,
  participantIdBytes,
  signCommit,
  signRoomKey,
  sodiumReady,
  verifyCommitSignature,
} from '../../crypto/index';
import { printLogs } from './harness/browser';
import { type EngineMember, launchEngineMember } from './harness/engine-members';
import { admitKnock, createRoomIn, joinAs, testid, waitForTilesIn } from './harness/engine-ui';
import { ENGINES, type EnginePage } from './harness/engines';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 500 };

/** What the injected script found: every byte array in the record, and what exportKey gave or threw. */
interface Loot {
  found: boolean;
  byteArrays: number[][];
  cryptoKeys: { type: string; extractable: boolean; algorithm: string; exported: number[][]; refused: string[] }[];
}

/** The injected script: reads store "identity", key "self", of database "sealroom", and loots it. */
const STEAL_IDENTITY = `(async () => {
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open('sealroom');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const record = await new Promise((resolve, reject) => {
    const req = db.transaction('identity', 'readonly').objectStore('identity').get('self');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  db.close();
  const loot = { found: record !== undefined, byteArrays: [], cryptoKeys: [] };
  const visit = async (value) => {
    if (value instanceof Uint8Array || value instanceof ArrayBuffer) loot.byteArrays.push([...new Uint8Array(value)]);
    else if (value instanceof CryptoKey) {
      const key = { type: value.type, extractable: value.extractable, algorithm: value.algorithm.name, exported: [], refused: [] };
      for (const format of ['pkcs8', 'raw', 'jwk']) {
        try {
          const out = await crypto.subtle.exportKey(format, value);
          if (format === 'jwk') { if (out.d) key.exported.push([...atob(out.d.replace(/-/g, '+').replace(/_/g, '/')).split('').map((c) => c.charCodeAt(0))]); }
          else key.exported.push([...new Uint8Array(out)]);
        } catch (error) { key.refused.push(format + ': ' + (error && error.name)); }
      }
      loot.cryptoKeys.push(key);
    } else if (value !== null && typeof value === 'object') for (const inner of Object.values(value)) await visit(inner);
  };
  await visit(record);
  return loot;
})()`;

/** What an older version stored: the libsodium seed's encoding, written as the page's IndexedDB holds it. */
function plantSeedRecord(page: EnginePage, record: Uint8Array): Promise<void> {
  return page.evaluate<void>(`(async () => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open('sealroom');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    await new Promise((resolve, reject) => {
      const tx = db.transaction('identity', 'readwrite');
      tx.objectStore('identity').put(new Uint8Array(${JSON.stringify([...record])}), 'self');
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  })()`);
}

function steal(page: EnginePage): Promise<Loot> {
  return page.evaluate<Loot>(STEAL_IDENTITY);
}

/** Ed25519 private key material among the loot: a 32-byte seed (alone, versioned, pkcs8 or jwk), or libsodium's 64-byte form. */
function seedsIn(loot: Loot): Uint8Array[] {
  const candidates = [...loot.byteArrays, ...loot.cryptoKeys.flatMap((k) => k.exported)].map((b) => new Uint8Array(b));
  const seeds: Uint8Array[] = [];
  for (const bytes of candidates) {
    if (bytes.length === 32 || bytes.length === 64) seeds.push(bytes.subarray(0, 32));
    else if (bytes.length === 33) seeds.push(bytes.subarray(1));
    else if (bytes.length === 48) seeds.push(bytes.subarray(16)); // pkcs8: 16-byte header || seed
  }
  return seeds;
}

/** Signs a forged genesis commit as the stolen identity; true when verification accepts it as the link's host. */
async function forgeCommit(seed: Uint8Array, hostFingerprint: Uint8Array): Promise<boolean> {
  const stolen = decodeIdentity(new Uint8Array([1, ...seed]));
  if (!equalBytes(fingerprint(stolen.publicKey), hostFingerprint)) return false;
  const roomId = new Uint8Array(16).fill(7);
  const roomKey = generateRoomKey();
  const forged = await signCommit(stolen, {
    roomId,
    epoch: 0,
    prevHash: ZERO_HASH,
    action: 'create',
    locked: false,
    ended: false,
    hostIndex: 0,
    secretCommitment: new Uint8Array(32),
    members: [
      {
        index: 0,
        identityPublicKey: stolen.publicKey,
        roomPublicKey: roomKey.publicKey,
        roomKeySignature: await signRoomKey(stolen, roomId, roomKey.publicKey),
        participantId: participantIdBytes('AAAAAAAAAAAAAAAAAAAAAA'),
        displayName: 'Mallory as the host',
      },
    ],
  });
  try {
    verifyCommitSignature(decodeSignedCommit(forged.bytes));
    return true;
  } catch {
    return false;
  }
}

async function say(page: EnginePage, text: string): Promise<void> {
  await page.fill(testid('chat-input'), text);
  await page.click(testid('chat-send'));
}

const chatTexts = (page: EnginePage): Promise<string[]> =>
  page.evaluate<string[]>(`[...document.querySelectorAll('${testid('chat-line')} ${testid('chat-text')}')].map((e) => e.textContent ?? '')`);

for (const engine of ENGINES) {
  describe(`the identity key at rest in ${engine}`, () => {
    let server: TestServer | undefined;
    const members: EngineMember[] = [];
    let link = '';

    beforeAll(async () => {
      await sodiumReady();
      server = await startTestServer();
      members.push(await launchEngineMember(engine, `${engine}-host`, server.origin, PATTERNS[0]!));
      members.push(await launchEngineMember(engine, `${engine}-guest`, server.origin, PATTERNS[1]!));
    });

    afterAll(async () => {
      await Promise.all(members.map((m) => m.close()));
      await server?.close();
    });

    beforeEach(({ onTestFailed }) => {
      onTestFailed(() => printLogs(members));
    });

    it('signs with the stored identity as before: creates a room, admits a guest, carries chat', async () => {
      const [host, guest] = members as [EngineMember, EngineMember];
      link = await createRoomIn(host.page, server!.origin);
      await joinAs(host.page, 'Alice');
      await guest.page.goto(link);
      await joinAs(guest.page, 'Bob');
      await admitKnock(host.page);
      for (const m of members) await waitForTilesIn(m.page, 2, WAIT);
      await say(guest.page, `signed in ${engine}`);
      expect(await waitUntil('the host shows the guest’s line', () => chatTexts(host.page), (t) => t.includes(`signed in ${engine}`), WAIT)).toContain(`signed in ${engine}`);
    });

    it('[ID1] gives a script on the origin no private key bytes to take away, only a non-extractable CryptoKey', async () => {
      const [host] = members as [EngineMember, EngineMember];
      expect(link).not.toBe('');
      const { hostFingerprint } = parseFragment(new URL(link).hash);
      const loot = await steal(host.page);
      expect(loot.found).toBe(true);
      const forgedAccepted: boolean[] = [];
      for (const seed of seedsIn(loot)) forgedAccepted.push(await forgeCommit(seed, hostFingerprint));
      expect(forgedAccepted.filter(Boolean)).toEqual([]);
      const privateKeys = loot.cryptoKeys.filter((k) => k.type === 'private');
      expect(privateKeys).toHaveLength(1);
      expect(privateKeys[0]).toMatchObject({ algorithm: 'Ed25519', extractable: false, exported: [] });
      expect(privateKeys[0]!.refused).toHaveLength(3);
      // The only bytes in the record are the public key the link's fingerprint names.
      expect(loot.byteArrays).toHaveLength(1);
      expect(equalBytes(fingerprint(new Uint8Array(loot.byteArrays[0]!)), hostFingerprint)).toBe(true);
    });

    it('[ID1] migrates a seed record from an older version into a non-extractable key, keeping the identity', async () => {
      const [host] = members as [EngineMember, EngineMember];
      const old = generateIdentity();
      await plantSeedRecord(host.page, encodeIdentity(old));
      expect(seedsIn(await steal(host.page))).toHaveLength(1); // exposed until migrated, as any seed was
      const migratedLink = await createRoomIn(host.page, server!.origin); // a new page load reads the identity
      await joinAs(host.page, 'Alice');
      await waitForTilesIn(host.page, 1, WAIT);
      const { hostFingerprint } = parseFragment(new URL(migratedLink).hash);
      expect(equalBytes(hostFingerprint, fingerprint(old.publicKey))).toBe(true);
      const loot = await steal(host.page);
      expect(loot.cryptoKeys.filter((k) => k.type === 'private')).toMatchObject([{ algorithm: 'Ed25519', extractable: false, exported: [] }]);
      expect(loot.byteArrays).toEqual([[...old.publicKey]]);
    });
  });
}
