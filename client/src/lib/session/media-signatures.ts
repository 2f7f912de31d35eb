// [M1] The session's side of per-sender media signatures (decision 0016): it announces this page's
// media signing key and relays the batches the media Worker signs, and hands the others' batches
// and statements to the Worker, which checks them.
//   - Statement: an identity-signed `mediaKey` in-call message (crypto/app-message.ts) whose body
//     (crypto/media-batch.ts) names this page's life and media key. The app message's signature
//     covers the room, the epoch and the sender index, which the signed member list binds to the
//     identity key: so the key is bound to (room, epoch, sender, page life). Sent when an epoch's
//     keys are installed and again SWITCH_DELAY_MS later (when this page starts sending under it,
//     by which time the others hold the epoch and can open it), and after every sync of a new
//     socket, asking everyone for theirs ("answer me"): who answers, answers the asker alone.
//   - Batches: opaque bytes on the relay, checked in the Worker only. Those signed while this
//     page's socket is closed wait (the last UNSENT_KEPT) and go out, in order, once it is back.
//   - The Worker reports KIDs whose batches arrive without a statement: their sender is asked
//     directly ("answer me"), at most once per KID per STATEMENT_ASK_GAP_MS.
import { type AppMessageType as AppType, MEDIA_BATCH_INTERVAL_MS, MEDIA_BATCH_RETENTION_MS, decodeMediaKeyStatement, encodeMediaKeyStatement, fromBase64Url, isMediaBatch, kidFor, splitKid, toBase64Url } from '../../../../crypto/index';
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
  /** The participant id of the member at a sender index in the current epoch. */
  memberAt(index: number): string | undefined;
}

/** Batches kept while the socket is closed: the time a receiver keeps batches, 2 s of them. */
const UNSENT_KEPT = Math.ceil(MEDIA_BATCH_RETENTION_MS / MEDIA_BATCH_INTERVAL_MS);
const STATEMENT_ASK_GAP_MS = 2000;

export class MediaSignatures {
  readonly #unsent: string[] = [];
  readonly #asked = new Map<bigint, number>();
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
      if (seat.epoch() === null) return;
      const payload = toBase64Url(bytes);
      if (this.#unsent.length === 0 && seat.send({ type: 'relay', to: 'all', payload })) return;
      this.#unsent.push(payload);
      if (this.#unsent.length > UNSENT_KEPT) this.#unsent.shift();
    });
    signed.onMissingSigners((kids) => this.#ask(kids));
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

  /** A new socket has caught up: this page may have missed statements and batches; ask, and send what waited. */
  synced(): void {
    this.#signed.resynced();
    while (this.#unsent.length > 0 && this.#seat.send({ type: 'relay', to: 'all', payload: this.#unsent[0]! })) this.#unsent.shift();
    this.#announce('all', true);
  }

  #ask(kids: readonly bigint[]): void {
    const epoch = this.#seat.epoch();
    const now = this.#clock.now();
    for (const kid of kids) {
      if (now - (this.#asked.get(kid) ?? -Infinity) < STATEMENT_ASK_GAP_MS) continue;
      const { epoch: kidEpoch, senderIndex } = splitKid(kid);
      const owner = this.#seat.memberAt(senderIndex);
      if (owner === undefined || (kidEpoch !== epoch && kidEpoch !== (epoch ?? 0) - 1)) continue;
      this.#asked.set(kid, now);
      this.#announce(owner, true);
    }
    for (const [kid, at] of this.#asked) if (now - at > STATEMENT_ASK_GAP_MS) this.#asked.delete(kid);
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
