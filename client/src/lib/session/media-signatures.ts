// [S1] The session's side of per-sender media signatures (decision 0016): it announces this page's
// media signing key and relays the batches the media Worker signs, and hands the others' batches
// and statements to the Worker, which checks them.
//   - Statement: an identity-signed `mediaKey` in-call message (crypto/app-message.ts) whose body
//     (crypto/media-batch.ts) names this page's life and media key. The app message's signature
//     covers the room, the epoch and the sender index, which the signed member list binds to the
//     identity key: so the key is bound to (room, epoch, sender, page life). Sent when an epoch's
//     keys are installed and again SWITCH_DELAY_MS later (when this page starts sending under it,
//     by which time the others hold the epoch and can open it), and after every sync of a new
//     socket, asking everyone for theirs ("answer me"): who answers, answers the asker alone.
//   - Batches: opaque bytes on the relay, checked in the Worker only.
import { type AppMessageType as AppType, decodeMediaKeyStatement, encodeMediaKeyStatement, fromBase64Url, isMediaBatch, kidFor, toBase64Url } from '../../../../crypto/index';
import { SWITCH_DELAY_MS } from '../../../../protocol/limits';
import { type Outgoing } from './channel';
import { type Clock, type SignedMedia } from './media-sink';
import { type MemberView } from './membership';

/** What the session gives this part: its membership's epoch, sending, and a clock. */
export interface SignatureSeat {
  readonly life: number | null;
  epoch(): number | null;
  roomId(): Uint8Array;
  sendApp(type: AppType, body: Uint8Array, to: string | 'all'): boolean;
  send(message: Outgoing): boolean;
}

export class MediaSignatures {
  readonly #signed: SignedMedia;
  readonly #seat: SignatureSeat;
  readonly #clock: Clock;
  #ownKey: Uint8Array | null = null;
  #announced = -1;

  constructor(signed: SignedMedia, seat: SignatureSeat, clock: Clock) {
    this.#signed = signed;
    this.#seat = seat;
    this.#clock = clock;
    signed.room(seat.roomId());
    signed.onBatch((bytes) => {
      if (seat.epoch() !== null) seat.send({ type: 'relay', to: 'all', payload: toBase64Url(bytes) });
    });
    void signed.ownKey().then((key) => {
      this.#ownKey = key;
      this.installed();
    });
  }

  /** A new epoch's keys are installed: announce this page's key for it, now and when sending starts. */
  installed(): void {
    const epoch = this.#seat.epoch();
    if (epoch === null || epoch <= this.#announced || this.#ownKey === null) return;
    this.#announced = epoch;
    this.#announce('all', false);
    this.#clock.after(SWITCH_DELAY_MS, () => {
      if (this.#seat.epoch() === epoch) this.#announce('all', false);
    });
  }

  /** A new socket has caught up: this page may have missed statements; ask for them. */
  synced(): void {
    this.#announce('all', true);
  }

  /** Relayed bytes that are a media batch go to the Worker (true); anything else is an app message (false). */
  relayed(payload: string): boolean {
    let bytes: Uint8Array;
    try {
      bytes = fromBase64Url(payload);
    } catch {
      return false;
    }
    if (!isMediaBatch(bytes)) return false;
    this.#signed.batch(bytes);
    return true;
  }

  /** An opened, verified `mediaKey` message. Throws a typed error if its body does not decode. */
  statement(from: MemberView, epoch: number, body: Uint8Array): void {
    const statement = decodeMediaKeyStatement(body);
    this.#signed.signer(kidFor(epoch, from.index), statement.life, statement.publicKey);
    if (statement.answerMe) this.#announce(from.participantId, false);
  }

  #announce(to: string | 'all', answerMe: boolean): void {
    const life = this.#seat.life;
    if (life === null || this.#ownKey === null || this.#seat.epoch() === null) return;
    this.#seat.sendApp('mediaKey', encodeMediaKeyStatement({ life, publicKey: this.#ownKey, answerMe }), to);
  }
}
