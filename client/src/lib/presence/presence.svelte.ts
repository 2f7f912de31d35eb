// Microphone and camera state inside the encrypted channel. This page sends its own state, sealed
// and signed (SecureRoom.sendApp 'mediaState'), to everyone whenever it changes; when it joins or
// its socket is back it also asks everyone for theirs, and it answers such asks. Remote tiles show
// what members say here rather than LiveKit's mute flags, which the SFU controls (tile-media.ts).
import { untrack } from 'svelte';
import { type SecureRoom, type AppDelivery } from '../e2ee/secure-room.svelte';
import { trace } from '../e2ee/trace';
import { type LocalMedia } from '../media/local-media.svelte';
import { decodeMediaState, encodeMediaState, type MediaState } from './media-state';
import { applyMediaState, type TileMedia } from './tile-media';

export class MediaPresence {
  /** The latest state each member sent, by participant id. */
  #remote = $state.raw<ReadonlyMap<string, MediaState>>(new Map());

  readonly #secure: SecureRoom;
  readonly #media: LocalMedia;
  /** What everyone was last sent; undefined until a send to all went out. */
  #sent: MediaState | undefined;
  #joined = false;
  readonly #stop: () => void;

  constructor(secure: SecureRoom, media: LocalMedia) {
    this.#secure = secure;
    this.#media = media;
    secure.onApp((delivery) => {
      if (delivery.type === 'mediaState') this.#received(delivery);
    });
    // While away this page may have missed changes, and others may have missed its own: once the
    // new socket has caught up with the commits, announce and ask again.
    secure.onSynced(() => {
      if (this.#joined) this.#announce('all', true);
    });
    this.#stop = $effect.root(() => {
      $effect(() => {
        const state = this.#local();
        const member = secure.membership.epoch !== null;
        untrack(() => this.#changed(state, member));
      });
    });
  }

  /** A remote tile as the member's own media state describes it, once known. */
  tileView<T extends TileMedia & { readonly id: string; readonly local: boolean }>(tile: T): T {
    return tile.local ? tile : applyMediaState(tile, this.#remote.get(tile.id));
  }

  dispose(): void {
    this.#stop();
  }

  #local(): MediaState {
    return { micOn: this.#media.micOn && this.#media.audio !== undefined, cameraOn: this.#media.cameraOn && this.#media.video !== undefined };
  }

  #changed(state: MediaState, member: boolean): void {
    if (!member) return;
    if (!this.#joined) {
      this.#joined = true;
      this.#announce('all', true);
    } else if (this.#sent?.micOn !== state.micOn || this.#sent.cameraOn !== state.cameraOn) {
      this.#announce('all', false);
    }
  }

  #announce(to: string | 'all', ask: boolean): void {
    const state = this.#local();
    const sent = this.#secure.sendApp('mediaState', encodeMediaState({ ...state, ask }), to);
    if (to === 'all') this.#sent = sent ? state : undefined;
  }

  #received(delivery: AppDelivery): void {
    let message;
    try {
      message = decodeMediaState(delivery.body);
    } catch (error) {
      // Signed by a member, so not the server's doing: a newer or broken client.
      console.warn(`presence: dropped a media state from member ${delivery.from.index}: ${error instanceof Error ? error.message : 'invalid'}`);
      return;
    }
    const id = delivery.from.participantId;
    const members = new Set(this.#secure.membership.members.map((m) => m.participantId));
    const next = new Map([...this.#remote].filter(([other]) => members.has(other)));
    next.set(id, { micOn: message.micOn, cameraOn: message.cameraOn });
    this.#remote = next;
    trace('media-state', `${id} mic:${message.micOn ? 'on' : 'off'} camera:${message.cameraOn ? 'on' : 'off'}`);
    if (message.ask) this.#announce(id, false);
  }
}
