// Test fixtures (not product code): parties with real keys, a room link, and the host's commands
// wired to an in-memory relay. Shared by the scenario tests and the unit tests of member/host.
import {
  toBase64Url,
  participantIdBytes,
  type Signer,
  fingerprint,
  generateIdentity,
  generateRoomKey,
  createJoinRequest,
  openJoinRequest,
  generateLinkSecret,
  type InRoomState,
  type MemberState,
  type RoomContext,
  type SelfKeys,
  hostRoomKey,
  lobby,
  roomContext,
  host,
  sodium,
} from '../../crypto/index';
import { Relay } from './relay';

/** One participant: its keys, its server id, and its current state (updated by the relay). */
export interface Party {
  readonly name: string;
  readonly pid: string;
  readonly self: SelfKeys;
  state: MemberState;
}

export interface Link {
  readonly room: RoomContext;
  readonly linkSecret: Uint8Array;
  readonly hostIdentity: Signer;
}

export function newParticipantId(): string {
  return toBase64Url(sodium().randombytes_buf(16));
}

export function newSelf(identity: Signer = generateIdentity()): SelfKeys {
  return { identity, roomKey: generateRoomKey() };
}

/** A fresh room id and link secret, with the given identity as host. */
export function newLink(hostIdentity: Signer = generateIdentity()): Link {
  const roomId = sodium().randombytes_buf(16);
  const linkSecret = generateLinkSecret();
  const room = roomContext(roomId, { linkSecret, hostFingerprint: fingerprint(hostIdentity.publicKey) });
  return { room, linkSecret, hostIdentity };
}

export function newGuest(link: Link, name: string): Party {
  const self = newSelf();
  return { name, pid: newParticipantId(), self, state: lobby(link.room, self) };
}

/** The guest's sealed join request, addressed to the host room key from its own verified chain. */
export function knock(guest: Party, link: Link, displayName: string = guest.name): Promise<Uint8Array> {
  const hostRoomPublicKey = hostRoomKey(guest.state);
  if (hostRoomPublicKey === null) throw new Error(`${guest.name} has not read the room's log yet`);
  return createJoinRequest({
    identity: guest.self.identity,
    roomKey: guest.self.roomKey,
    roomId: link.room.roomId,
    participantId: participantIdBytes(guest.pid),
    hostRoomPublicKey,
    displayName,
    joinMacKey: link.room.joinMacKey,
  });
}

/** What the host does with a knock: open and verify it, then keep it for an admit. */
function hostOpens(hostParty: Party, link: Link, guest: Party, sealed: Uint8Array): host.Admission {
  return { participantId: guest.pid, request: openJoinRequest(hostParty.self.roomKey, link.room.joinMacKey, link.room.roomId, sealed, participantIdBytes(guest.pid)) };
}

/** The host creates the room (epoch 0) and posts the commit to the relay. */
export async function startRoom(link: Link, relay: Relay, name = 'Host'): Promise<Party> {
  const self = newSelf(link.hostIdentity);
  const pid = newParticipantId();
  const created = await host.createRoom({ room: link.room, self, participantId: pid, displayName: name });
  const party: Party = { name, pid, self, state: created.state };
  relay.publish(created, party);
  return party;
}

/** Guests read the log, knock, and are admitted in ONE batched commit; everyone receives it. */
export async function admitGuests(link: Link, relay: Relay, hostParty: Party, members: readonly Party[], guests: readonly Party[]): Promise<host.HostResult> {
  const admissions = await Promise.all(guests.map(async (g) => {
    const synced = relay.sync(g);
    if (synced.error) throw synced.error;
    return hostOpens(hostParty, link, g, await knock(g, link));
  }));
  const result = await host.admit(hostParty.state, admissions);
  relay.publish(result, hostParty);
  for (const p of [...members, ...guests]) {
    const delivered = relay.deliver(p);
    if (delivered.error) throw delivered.error;
  }
  return result;
}

export interface TestRoom {
  readonly link: Link;
  readonly relay: Relay;
  readonly host: Party;
  /** Everyone else, in admission order (index 1, 2, ...). */
  readonly guests: Party[];
}

/** A room with a host and `guestCount` admitted guests (one batched admit). */
export async function buildRoom(guestCount: number): Promise<TestRoom> {
  const link = newLink();
  const relay = new Relay();
  const hostParty = await startRoom(link, relay);
  const guests = Array.from({ length: guestCount }, (_, i) => newGuest(link, `Guest ${i + 1}`));
  if (guestCount > 0) await admitGuests(link, relay, hostParty, [], guests);
  return { link, relay, host: hostParty, guests };
}

/** Narrow a party's state to a member's, failing the test otherwise. */
export function inRoom(party: Party): InRoomState {
  if (party.state.kind !== 'member') throw new Error(`${party.name} is ${party.state.kind}, not a member`);
  return party.state;
}
