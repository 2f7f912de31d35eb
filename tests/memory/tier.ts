// The in-memory tier: the real client session (SecureRoom, HostDesk, Membership, page lives) of
// each participant (session/: framework-free) against the real server room code (server/room.ts, server/room-messages.ts),
// with no socket, no browser and no LiveKit. Messages travel through one FIFO queue that `run()`
// drains, so every test is deterministic. Every message the server sends a client passes the
// tier's `interpose`, which a test replaces to drop, alter, split, duplicate, hold back or replay
// it: the hostile server. The media Worker is a recorder of the keys a page installs (no frames).
import { generateHostKey, signHostStatement, toBase64Url, type HostKeyPair } from '../../crypto/index';
import { type SelfKeys } from '../../crypto/index';
import { type ClientMessage, PROTOCOL_VERSION, type ServerMessage } from '../../protocol/protocol';
import { hashCredential, newCredential } from '../../server/credentials';
import { type Effect } from '../../server/effects';
import { Room } from '../../server/room';
import { handleMessage } from '../../server/room-messages';
import { type Outgoing } from '../../client/src/lib/session/channel';
import { type EpochKeys, type MediaSink } from '../../client/src/lib/session/media-sink';
import { type Membership } from '../../client/src/lib/session/membership';
import { Session } from '../../client/src/lib/session/session';
import { nextPageLife, type RoomKeyRecord } from '../../client/src/lib/storage/page-life';
import { type Link, newLink, newSelf } from '../scenario/fixtures';

/** What the server is about to send `to`; returns what the client gets instead ([] drops it). */
export type Interpose = (message: ServerMessage, to: Client) => ServerMessage[];

/** The recorder standing in for the media Worker. */
class RecordedMedia implements MediaSink {
  readonly installs: EpochKeys[] = [];
  held = false;
  #newer = new Set<(epoch: number) => void>();
  install(keys: EpochKeys): void {
    this.installs.push(keys);
  }
  hold(): void {
    this.held = true;
  }
  release(): void {
    this.held = false;
  }
  onNewerEpoch(handler: (epoch: number) => void): () => void {
    this.#newer.add(handler);
    return () => this.#newer.delete(handler);
  }
  /** The Worker saw frames under a KID of `epoch` it holds no key for. */
  sawFramesOf(epoch: number): void {
    for (const handler of this.#newer) handler(epoch);
  }
}

/** One page life of one participant. */
export class Client {
  readonly name: string;
  readonly self: SelfKeys;
  readonly life: number;
  readonly membership: Membership;
  readonly secure: Session;
  readonly media = new RecordedMedia();
  /** Everything this page sent the server, in order. */
  readonly sent: Outgoing[] = [];
  participantId = '';
  resumeToken = '';
  closed: number | undefined;
  readonly #tier: MemoryTier;

  constructor(tier: MemoryTier, name: string, self: SelfKeys, life: number, created: { value: boolean }, hostKey: HostKeyPair) {
    this.#tier = tier;
    this.name = name;
    this.self = self;
    this.life = life;
    const channel = { open: true, send: (m: Outgoing) => this.#send(m) };
    const genesis = { createdBefore: () => created.value, markCreated: () => void (created.value = true) };
    this.secure = new Session({ room: tier.link.room, self, life }, this.media, channel, { removed() {}, ended() {} }, {
      genesis,
      hostKey: { publicKey: hostKey.publicKey, sign: (m) => Promise.resolve(signHostStatement(hostKey, m)) },
    });
    this.membership = this.secure.membership;
  }

  #send(message: Outgoing): boolean {
    if (this.closed !== undefined) return false;
    this.sent.push(message);
    this.#tier.toServer(this, { v: PROTOCOL_VERSION, ...message } as ClientMessage);
    return true;
  }

  /** The commits this page sent, by epoch. */
  commitEpochs(): number[] {
    return this.sent.flatMap((m) => (m.type === 'commit' ? [m.epoch] : []));
  }
}

/** A person: their keys, their room-key record (page lives), and their pages in turn. */
export class Person {
  readonly name: string;
  readonly self: SelfKeys;
  record: RoomKeyRecord | undefined;
  readonly pages: Client[] = [];
  /** The host's memory of having made epoch 0 (host-credential.ts). */
  readonly created = { value: false };
  /** This person's per-room host key (storage/host-key-store.ts in the app). */
  readonly hostKey: HostKeyPair = generateHostKey();

  constructor(name: string, self: SelfKeys = newSelf()) {
    this.name = name;
    this.self = self;
  }

  get page(): Client {
    const page = this.pages.at(-1);
    if (page === undefined) throw new Error(`${this.name} has no page`);
    return page;
  }

  /** A new page life: claims the next life from the record, as room-key-store.ts does. */
  claim(tier: MemoryTier): Client {
    this.record = nextPageLife(this.record, () => new Uint8Array(64));
    const page = new Client(tier, this.name, this.self, this.record.lives - 1, this.created, this.hostKey);
    this.pages.push(page);
    return page;
  }
}

const MAX_STEPS = 200_000;
/** The real setImmediate, taken before a test fakes the timers: settle() waits on it for pending promises. */
const nextTurn: (run: () => void) => void = setImmediate.bind(globalThis);

class MemoryTier {
  readonly link: Link;
  readonly room: Room;
  interpose: Interpose = (message) => [message];
  now = 0;
  readonly #queue: (() => void)[] = [];
  readonly #byId = new Map<string, Client>();

  constructor(hostSelf: SelfKeys, hostSigner: HostKeyPair) {
    this.link = newLink(hostSelf.identity);
    this.room = new Room({ id: toBase64Url(this.link.room.roomId), hostCredentialHash: hashCredential(newCredential())!, accessVerifier: new Uint8Array(32), hostKey: hostSigner.publicKey, now: 0 });
  }

  /** Open a page for `person`: as host, as a new lobby participant, or resuming its last page's seat. */
  open(person: Person, as: 'host' | 'guest' | 'resume'): Client {
    const previous = person.pages.at(-1);
    if (previous !== undefined && previous.closed === undefined && previous.participantId !== '') {
      previous.closed = 1001; // the old page went away
      this.#apply(this.room.disconnect(previous.participantId, false, this.now));
    }
    const page = person.claim(this);
    const auth = as === 'host' ? { kind: 'host' as const } : as === 'guest' ? { kind: 'access' as const } : this.room.authenticate(previous!.resumeToken);
    if (auth === null || auth.kind === 'revoked') throw new Error(`${person.name} cannot resume`);
    const connected = this.room.connect(auth, this.now, 15_000);
    if (connected === null) throw new Error(`${person.name} was not let in`);
    const welcome = connected.welcome as Extract<ServerMessage, { type: 'welcome' }>;
    page.participantId = welcome.participantId;
    page.resumeToken = welcome.resumeToken;
    this.#byId.set(page.participantId, page);
    page.secure.welcomed(page.participantId);
    this.#apply(connected.effects);
    return page;
  }

  /** `person`'s page loses its socket (1001): the server marks it away, as the hub does on close. */
  drop(person: Person): void {
    const page = person.page;
    if (page.closed !== undefined) return;
    page.closed = 1001;
    this.#apply(this.room.disconnect(page.participantId, false, this.now));
  }

  toServer(from: Client, message: ClientMessage): void {
    this.#queue.push(() => {
      if (this.#byId.get(from.participantId) === from) this.#apply(handleMessage(this.room, from.participantId, message, this.now));
    });
  }

  /**
   * run(), and again once the pending promises resolved (signing is asynchronous: identity and host
   * keys may be WebCrypto keys), until nothing is queued any more.
   */
  async settle(): Promise<void> {
    for (let steps = 0; ; steps++) {
      if (steps > MAX_STEPS) throw new Error('the in-memory tier did not settle');
      this.run();
      await new Promise<void>((resolve) => nextTurn(resolve));
      if (this.#queue.length === 0) return;
    }
  }

  /** Deliver everything queued, and everything that causes, in order. */
  run(): void {
    for (let steps = 0; this.#queue.length > 0; steps++) {
      if (steps > MAX_STEPS) throw new Error('the in-memory tier did not settle');
      this.#queue.shift()!();
    }
  }

  #apply(effects: readonly Effect[]): void {
    for (const effect of effects) {
      const to = 'to' in effect ? this.#byId.get(effect.to) : undefined;
      if (effect.kind === 'send' && to !== undefined) {
        for (const message of this.interpose(effect.message, to)) this.#queue.push(() => to.closed === undefined && to.secure.receive(message));
      } else if (effect.kind === 'close' && to !== undefined) {
        // After what was sent before it, as server/connection.ts orders a close behind its outbox.
        this.#queue.push(() => void (to.closed ??= effect.code));
      }
    }
  }
}

/** A host and `guests` admitted one after another, each through a real knock and admit. */
export async function callOf(guests: number): Promise<{ tier: MemoryTier; host: Person; people: Person[] }> {
  const host = new Person('Host');
  const tier = new MemoryTier(host.self, host.hostKey);
  void tier.open(host, 'host').secure.host.start('Host');
  await tier.settle();
  const people: Person[] = [];
  for (let i = 0; i < guests; i++) {
    const guest = new Person(`Guest ${i + 1}`);
    await admit(tier, host, guest);
    people.push(guest);
  }
  return { tier, host, people };
}

/** `guest` opens the link, knocks, and the host admits it. */
export async function admit(tier: MemoryTier, host: Person, guest: Person): Promise<void> {
  const page = tier.open(guest, 'guest');
  await tier.settle();
  page.secure.knock(guest.name);
  await tier.settle();
  await host.page.secure.host.admit([page.participantId]);
  await tier.settle();
}
