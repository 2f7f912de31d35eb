// A hostile signaling server, in real browsers: every socket goes through tests/e2e/harness/
// hostile-proxy.ts, which forwards to the real server and changes, drops and injects messages the
// way the server's operator could. It knows what the server knows: room and participant ids, roles,
// the opaque payloads, and (running the SFU too) LiveKit's API key. It never knows the link's
// fragment, so it has neither the join MAC key nor the commit wrap key, and it cannot read the
// host's room key, which travels only inside wrapped commits and sealed knocks.
//
// The attacks, one per test (SECURITY.md, claims table):
//   (a) knocks: it flips one bit of Ann's sealed knock, and replaces the ghost's knock with a join
//       request it made with its own identity and room keys (without the link secret, sealed to a
//       key of its own: the only ones it has). The host's page drops both, counts them (2) and lists
//       nobody to admit; Ann's next, untouched knock is admitted as usual.
//   (b) commits: to each member it sends the last genuine commit again (replayed), a copy with one
//       bit flipped (altered), a copy relabelled with the next epoch (the only clear field), and a
//       commit for the next epoch adding a ghost member, signed with its own identity and wrapped
//       under a key of its own (forged). Every member refuses all four (the security panel counts
//       them), stays in its epoch with the same two members, and the call codes stay equal.
//   (c) the ghost, whom the host never admitted: it tells the ghost's page it was admitted, with a
//       LiveKit token it minted itself, and hands it every commit it saw with every envelope in
//       them. The ghost joins the SFU, but its page reaches no epoch: no call code, no send key,
//       nothing sent, and every frame it receives dropped undecrypted. The members see a stranger
//       whose media is blocked, and no tile for it.
//   (d) in-call messages: it sends Ann a "host" message of random bytes, and a copy of a genuine one
//       with one bit flipped. Ann drops both, and her security panel counts them (2).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  fromBase64Url,
  toBase64Url,
  signCommit,
  wrapCommit,
  generateEpochSecret,
  sealEnvelope,
  generateIdentity,
  generateRoomKey,
  signRoomKey,
  createJoinRequest,
  roomIdBytes,
  sodium,
} from '../../crypto/index';
import { PROTOCOL_VERSION } from '../../protocol/protocol';
import { createGrantIssuer } from '../../server/tokens';
import { printLogs } from './harness/browser';
import { type HostileProxy, type ProxiedSocket, startHostileProxy, type Wire } from './harness/hostile-proxy';
import { audit, callCode, type CallCodeView, launchMember, type Member, ownId, waitForEpoch } from './harness/members';
import { PATTERNS } from './harness/pattern';
import { startTestServer, type TestServer } from './harness/server';
import { admitFirstKnock, createRoom, join, waitForLobby } from './harness/ui';
import { waitUntil } from './harness/wait';

const WAIT = { timeoutMs: 60_000, intervalMs: 500 };
const v = PROTOCOL_VERSION;

describe('a hostile signaling server between the browsers and the real server', () => {
  let server: TestServer | undefined;
  let proxy: HostileProxy;
  const members: Member[] = [];
  let host: Member;
  let ann: Member;
  let ghost: Member;
  let roomId = '';
  const ids = new Map<Member, string>();
  let codeAfterAdmission: CallCodeView | undefined;

  beforeAll(async () => {
    server = await startTestServer();
    proxy = await startHostileProxy(server.origin);
    for (const [i, name] of ['host', 'ann', 'ghost'].entries()) members.push(await launchMember(name, proxy.origin, PATTERNS[i]!));
    [host, ann, ghost] = members as [Member, Member, Member];
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await proxy?.close();
    await server?.close();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => printLogs(members));
  });

  /** The proxy's socket for a page that just opened the link: the one lobby socket not seen before. */
  async function lobbySocket(): Promise<ProxiedSocket> {
    const known = new Set(ids.values());
    return waitUntil(
      'a new lobby socket',
      () => proxy.sockets.filter((s) => s.open && s.role === 'lobby' && s.participantId !== undefined && !known.has(s.participantId)),
      (found) => found.length === 1,
      WAIT,
    ).then((found) => found[0]!);
  }

  const socketOf = (member: Member): ProxiedSocket => {
    const found = proxy.sockets.filter((s) => s.open && s.participantId === ids.get(member));
    if (found.length !== 1) throw new Error(`expected one open socket for ${member.name}, found ${found.length}`);
    return found[0]!;
  };

  const countOf = async (member: Member, testId: string): Promise<number> => {
    const element = member.page.getByTestId(testId);
    return (await element.count()) === 0 ? 0 : Number(await element.getAttribute('data-count', { timeout: 5_000 }));
  };

  function requireAdmission(): CallCodeView {
    if (codeAfterAdmission === undefined) throw new Error('Ann was not admitted (see the first test)');
    return codeAfterAdmission;
  }

  it('(a) drops a knock it altered or re-keyed, counts it, and shows the host nobody to admit', async () => {
    const link = await createRoom(host.page, proxy.origin);
    roomId = new URL(link).pathname.split('/').at(-1)!;
    await join(host.page, 'Alice');
    await waitForEpoch(host.page, 0, WAIT);
    ids.set(host, await ownId(host.page, WAIT));

    await ann.page.goto(link);
    await waitForLobby(ann.page);
    ids.set(ann, (await lobbySocket()).participantId!);
    await ghost.page.goto(link);
    await waitForLobby(ghost.page);
    ids.set(ghost, (await lobbySocket()).participantId!);

    let flipped = 0;
    let replaced = 0;
    const stopFlipping = proxy.tamper('to-server', (m, s) => {
      if (m.type !== 'knock' || s.participantId !== ids.get(ann) || flipped > 0) return m;
      flipped++;
      return { ...m, payload: flipBit(m['payload'] as string, 60) };
    });
    // The ghost's knocks are replaced for the rest of this file: the host never sees one.
    const ghostKnock = await ownJoinRequest(roomId);
    proxy.tamper('to-server', (m, s) => {
      if (m.type !== 'knock' || s.participantId !== ids.get(ghost)) return m;
      replaced++;
      return { ...m, payload: ghostKnock };
    });

    await join(ann.page, 'Ann');
    await join(ghost.page, 'Gus');
    await waitUntil('two dropped knocks on the host', () => countOf(host, 'dropped-knocks'), (n) => n === 2, WAIT);
    expect([flipped, replaced]).toEqual([1, 1]);
    expect(await host.page.getByTestId('knock').count()).toBe(0);
    for (const guest of [ann, ghost]) expect(await guest.page.getByTestId('lobby-state').getAttribute('data-state')).toBe('waiting-admission');
    stopFlipping();

    // The same guest's next knock, untouched, is shown and admitted: the drops were the tampering.
    await ann.page.reload();
    await join(ann.page, 'Ann');
    await admitFirstKnock(host.page);
    await waitForEpoch(ann.page, 1, WAIT);
    const codes = await waitUntil('one code on both pages', () => Promise.all([callCode(host.page), callCode(ann.page)]), ([a, b]) => a.epoch === b.epoch && a.digits === b.digits, WAIT);
    expect(await countOf(host, 'dropped-knocks')).toBe(2);
    codeAfterAdmission = codes[0];
  });

  it('(b) cannot make members accept a commit it replayed, altered, relabelled or forged with a ghost', async () => {
    const code = requireAdmission();
    const genuine = [...proxy.seen].reverse().find((s) => s.direction === 'to-server' && s.message.type === 'commit' && s.message['epoch'] === code.epoch)?.message;
    if (genuine === undefined) throw new Error(`the proxy saw no commit for epoch ${code.epoch}`);
    const envelopes = genuine['envelopes'] as Record<string, string>;
    const wrapped = genuine['commit'] as string;
    const next = code.epoch + 1;
    const ghostly = await ghostCommit(roomId, next);

    const attacks: { name: string; reason: string; message: (envelope: string) => Wire }[] = [
      { name: 'replayed', reason: 'replayed', message: (envelope) => ({ v, type: 'commit', epoch: code.epoch, commit: wrapped, envelope }) },
      { name: 'altered', reason: 'auth-failed', message: (envelope) => ({ v, type: 'commit', epoch: code.epoch, commit: flipBit(wrapped, fromBase64Url(wrapped).length - 1), envelope }) },
      // The member's envelope seals its epoch: relabelled in clear, it no longer opens the commit.
      { name: 'relabelled', reason: 'secret-mismatch', message: (envelope) => ({ v, type: 'commit', epoch: next, commit: relabel(wrapped, next), envelope }) },
      { name: 'forged with a ghost', reason: 'auth-failed', message: () => ({ v, type: 'commit', epoch: next, ...ghostly }) },
    ];
    for (const [i, attack] of attacks.entries()) {
      for (const member of [host, ann]) {
        socketOf(member).inject(attack.message(envelopes[ids.get(member)!]!));
        await waitUntil(`${member.name} refuses the ${attack.name} commit`, () => countOf(member, 'refusals'), (n) => n === i + 1, WAIT);
        expect(await member.page.getByTestId('refusals').textContent()).toContain(`: ${attack.reason}: `);
      }
    }
    for (const member of [host, ann]) {
      expect(await member.page.getByTestId('member').count()).toBe(2);
      expect(await member.page.getByTestId('member').filter({ hasText: 'Ghost' }).count()).toBe(0);
    }
    const after = await Promise.all([callCode(host.page), callCode(ann.page)]);
    expect(after).toEqual([code, code]);
  });

  it('(c) gives a lobby participant the host never admitted no key, whatever it hands the page', async () => {
    const code = requireAdmission();
    const ghostId = ids.get(ghost)!;
    const { LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET } = process.env;
    const grant = await createGrantIssuer({ url: LIVEKIT_URL!, apiKey: LIVEKIT_API_KEY!, apiSecret: LIVEKIT_API_SECRET!, local: true }, 600).issue(roomId, ghostId);
    const socket = socketOf(ghost);
    socket.inject({ v, type: 'admitted', livekit: grant });
    for (const commit of proxy.seen.filter((s) => s.direction === 'to-server' && s.message.type === 'commit').map((s) => s.message)) {
      for (const envelope of Object.values(commit['envelopes'] as Record<string, string>)) {
        socket.inject({ v, type: 'commit', epoch: commit['epoch'], commit: commit['commit'], envelope });
      }
    }

    // In the SFU room, with media arriving, and still no key.
    await ghost.page.getByTestId('no-call-keys').waitFor({ state: 'visible', timeout: 60_000 });
    const stats = await waitUntil('frames reaching the ghost', async () => (await audit(ghost.page)).stats, (s) => total(s.dropped) - (s.dropped['no-send-key'] ?? 0) > 30, WAIT);
    const { sendingEpoch } = await audit(ghost.page);
    expect(stats.decrypted).toBe(0);
    expect(stats.encrypted).toBe(0);
    expect(sendingEpoch).toBeNull();
    expect(await ghost.page.getByTestId('call-code').count()).toBe(0);
    // It cannot even read who is in the call ([P1]): commits open only with an epoch's secret.
    expect(await ghost.page.getByTestId('member').count()).toBe(0);

    for (const member of [host, ann]) {
      await waitUntil(`${member.name} sees a blocked stranger`, () => member.page.getByTestId('strangers').getAttribute('data-count', { timeout: 1_000 }), (n) => n === '1', WAIT);
      expect(await member.page.locator(`[data-testid=tile][data-participant="${ghostId}"]`).count()).toBe(0);
      expect(await member.page.getByTestId('member').count()).toBe(2);
    }
    expect(await Promise.all([callCode(host.page), callCode(ann.page)])).toEqual([code, code]);
  });

  it('(d) drops in-call messages it made up or altered, and the security panel counts them', async () => {
    const code = requireAdmission();
    const hostId = ids.get(host)!;
    // An in-call message (version byte 1), not one of the host's signed media batches (high bit set, decision 0016).
    const fromHost = (s: { direction: string; participantId: string | undefined; message: Wire }) =>
      s.direction === 'to-browser' && s.participantId === ids.get(ann) && s.message.type === 'relay' && s.message['from'] === hostId && fromBase64Url(s.message['payload'] as string)[0] === 1;
    const genuine = (await waitUntil('an in-call message from the host to Ann', () => proxy.seen.filter(fromHost), (found) => found.length > 0, WAIT)).at(-1)!.message;
    expect(await countOf(ann, 'dropped-messages')).toBe(0);
    const socket = socketOf(ann);
    const junk = sodium().randombytes_buf(96);
    junk[0] = 1; // reads as an in-call message, which then does not open
    socket.inject({ v, type: 'relay', from: hostId, payload: toBase64Url(junk) });
    socket.inject({ ...genuine, payload: flipBit(genuine['payload'] as string, 40) });
    await waitUntil('Ann counts two dropped in-call messages', () => countOf(ann, 'dropped-messages'), (n) => n === 2, WAIT);
    expect(await ann.page.getByTestId('dropped-messages').textContent()).toContain('did not open');
    expect(await Promise.all([callCode(host.page), callCode(ann.page)])).toEqual([code, code]);
  });
});

function flipBit(text: string, at: number): string {
  const bytes = fromBase64Url(text);
  bytes[at] = (bytes[at] as number) ^ 0x01;
  return toBase64Url(bytes);
}

/** A join request made with the proxy's own keys: no link, so a MAC key of its own, sealed to a room key of its own. */
async function ownJoinRequest(roomId: string): Promise<string> {
  return toBase64Url(
    await createJoinRequest({
      identity: generateIdentity(),
      roomKey: generateRoomKey(),
      roomId: roomIdBytes(roomId),
      participantId: sodium().randombytes_buf(16),
      hostRoomPublicKey: generateRoomKey().publicKey,
      displayName: 'Gus',
      joinMacKey: sodium().randombytes_buf(32),
    }),
  );
}

/** The wrapped commit with its clear epoch field (bytes 1..8, crypto/commit.ts) set to `epoch`. */
function relabel(text: string, epoch: number): string {
  const bytes = fromBase64Url(text);
  new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(1, BigInt(epoch));
  return toBase64Url(bytes);
}

/** A commit for `epoch` that adds a ghost, signed by the proxy's own identity and wrapped under its own key. */
async function ghostCommit(roomId: string, epoch: number): Promise<{ commit: string; envelope: string }> {
  const s = sodium();
  const id = roomIdBytes(roomId);
  const proxyIdentity = generateIdentity();
  const ghostKey = generateRoomKey();
  const signed = await signCommit(proxyIdentity, {
    roomId: id,
    epoch,
    prevHash: s.randombytes_buf(32),
    action: 'admit',
    locked: false,
    ended: false,
    hostIndex: 0,
    secretCommitment: s.randombytes_buf(32),
    // The ghost alone, as its own host: whatever the list, it never gets past the wrap.
    members: [
      {
        index: 0,
        identityPublicKey: proxyIdentity.publicKey,
        roomPublicKey: ghostKey.publicKey,
        roomKeySignature: await signRoomKey(proxyIdentity, id, ghostKey.publicKey),
        participantId: s.randombytes_buf(16),
        displayName: 'Ghost',
      },
    ],
  });
  return { commit: toBase64Url(wrapCommit(signed, s.randombytes_buf(32), null)), envelope: toBase64Url(sealEnvelope(epoch, generateEpochSecret(), generateRoomKey().publicKey)) };
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
