// Per-frame SFrame protection for one participant: every sender and receiver transform of the page
// goes through one FrameCryptor, so one counter per KID covers every track and simulcast layer.
// Fail closed: a frame that cannot be protected is dropped, and a received frame that does not
// authenticate is dropped, whatever the SFU says about the track. Nothing is ever passed in clear.
//
// Three checks come before a received frame's tag is even tried, so that a frame that fails them
// touches no replay window:
//   1. its header parses and names a KID this page holds;
//   2. the track it arrived on is bound to a participant (the SFU said whose track it is);
//   3. that participant is the one the signed member list gives the KID's sender index: a frame
//      of Alice's re-published by the SFU on Bob's track is refused as wrong-sender, never shown
//      on Bob's tile.
// Sending: this page life's counter space (crypto/epoch.ts) is the only one it sends in, so a
// reload or a second tab of the same member can never repeat a (KID, CTR).
//
// Bookkeeping is bounded by what this page chose to hold (keys, bound tracks), never by what the
// SFU sends: a flood of frames under ever-new KIDs only moves the drop counters.
import { MEDIA_FORWARD_BOUND, PAGE_LIFE_CTR_BITS, pageLifeCounters, splitKid } from '../../../crypto/index';
import { SealroomCryptoError } from '../../../crypto/index';
import { type MediaCodec, type ReceivedMediaFrame, openMediaFrame, parseMediaFrame, protectMediaFrame } from '../../../crypto/index';
import { KID_SENDER_BITS, SFrameReceiver, SFrameSender } from '../../../crypto/index';
import { NEWER_EPOCH_HORIZON } from '../../../protocol/limits';
import { DropReason, NO_DROPS, type KeyEntry, type SendKeyEntry, type TrackTally, type WorkerStats } from './messages';

const VP8_MIME = 'video/vp8';
const OPUS_MIME = 'audio/opus';

/** What this page knows of one held KID: whose it is (signed member list), its epoch, frames opened under it. */
interface KidRecord {
  owner: string;
  readonly epoch: number;
  opened: number;
}

interface MutableTally {
  opened: number;
  dropped: number;
  wrongSender: number;
  openedEpoch: number;
}

export class FrameCryptor {
  private readonly sender = new SFrameSender();
  private readonly receiver = new SFrameReceiver(undefined, { counterSpaceBits: PAGE_LIFE_CTR_BITS, forwardBound: MEDIA_FORWARD_BOUND });
  /** KID -> the participant the signed member list says sends under it, and its counts. */
  private readonly owners = new Map<bigint, KidRecord>();
  /** KIDs whose `opened` is above 0. */
  private kidsOpened = 0;
  private sendKid: bigint | null = null;
  private sending = true;
  private encrypted = 0;
  private decrypted = 0;
  private readonly dropped: Record<DropReason, number> = { ...NO_DROPS };
  private readonly tallies = new Map<string, MutableTally>();
  /** The newest epoch whose keys were added, and the newest epoch above it that a dropped frame claimed. */
  private heldEpoch = -1;
  private newerEpoch = -1;

  async addKeys(keys: readonly KeyEntry[], send?: SendKeyEntry): Promise<void> {
    await Promise.all(keys.map((k) => this.receiver.addKey(k.kid, k.baseKey)));
    for (const k of keys) {
      const epoch = splitKid(k.kid).epoch;
      const record = this.owners.get(k.kid);
      if (record === undefined) this.owners.set(k.kid, { owner: k.owner, epoch, opened: 0 });
      else record.owner = k.owner; // re-added: its count stays, as before
      this.heldEpoch = Math.max(this.heldEpoch, epoch);
    }
    if (send !== undefined) {
      const { first, end } = pageLifeCounters(send.life);
      await this.sender.addKey(send.kid, send.baseKey, first, end);
    }
  }

  useSendKid(kid: bigint): void {
    if (!this.sender.hasKey(kid)) throw new Error(`no send key for KID ${kid}`);
    this.sendKid = kid;
    this.sending = true;
  }

  removeKeys(kids: readonly bigint[]): void {
    for (const kid of kids) {
      this.receiver.removeKey(kid);
      if ((this.owners.get(kid)?.opened ?? 0) > 0) this.kidsOpened--;
      this.owners.delete(kid);
      if (this.sender.removeKey(kid) && this.sendKid === kid) this.sendKid = null;
    }
  }

  stopSending(): void {
    this.sending = false;
    this.sendKid = null;
  }

  /** A receiver now carries `participant`'s track (or nobody's); its tally starts when it is bound. */
  bound(participant: string | null): void {
    if (participant !== null && !this.tallies.has(participant)) this.tallies.set(participant, { opened: 0, dropped: 0, wrongSender: 0, openedEpoch: -1 });
  }

  /** Forget the tallies of participants no receiver is bound to any more. */
  keepTallies(participants: ReadonlySet<string>): void {
    for (const id of this.tallies.keys()) if (!participants.has(id)) this.tallies.delete(id);
  }

  /** Protected bytes, or null when the frame must be dropped. */
  encrypt(data: Uint8Array, codec: MediaCodec, mimeType: string | undefined): Promise<Uint8Array | null> {
    if (!this.codecMatches(codec, mimeType)) return Promise.resolve(this.drop(DropReason.codec));
    const kid = this.sendKid;
    if (kid === null || !this.sending) return Promise.resolve(this.drop(DropReason.noSendKey));
    return protectMediaFrame({ sender: this.sender, kid, codec, frame: data }).then(
      (out) => {
        this.encrypted++;
        return out;
      },
      () => this.drop(DropReason.malformed),
    );
  }

  /**
   * The sender's encoded frame, or null when the frame must be dropped. `boundTo` is the
   * participant whose track this is (undefined while the SFU has not said); `nowMs` the Worker's clock.
   * The header is parsed once; checks 1-3 run on it before the receiver tries the tag.
   */
  decrypt(data: Uint8Array, codec: MediaCodec, boundTo: string | undefined, nowMs: number): Promise<Uint8Array | null> {
    const tally = boundTo === undefined ? undefined : this.tallies.get(boundTo);
    let received: ReceivedMediaFrame;
    try {
      received = parseMediaFrame(this.receiver, codec, data);
    } catch {
      return Promise.resolve(this.dropFrom(tally, DropReason.malformed));
    }
    const kid = received.kid;
    const record = this.owners.get(kid);
    if (record === undefined) {
      this.noteNewer(kid);
      return Promise.resolve(this.dropFrom(tally, DropReason.unknownKey));
    }
    if (boundTo === undefined || tally === undefined) return Promise.resolve(this.drop(DropReason.unbound));
    if (record.owner !== boundTo) {
      tally.wrongSender++;
      return Promise.resolve(this.dropFrom(tally, DropReason.wrongSender));
    }
    return openMediaFrame(this.receiver, received, nowMs).then(
      (frame) => {
        this.decrypted++;
        tally.opened++;
        if (record.epoch > tally.openedEpoch) tally.openedEpoch = record.epoch;
        // Counted only while the KID is still held (it may have been removed while the frame was opening).
        const now = this.owners.get(kid);
        if (now !== undefined && now.opened++ === 0) this.kidsOpened++;
        return frame;
      },
      (error: unknown) => this.dropFrom(tally, dropReasonOf(error)),
    );
  }

  /** How many distinct KIDs have opened at least one frame. */
  openedKids(): number {
    return this.kidsOpened;
  }

  stats(): WorkerStats {
    const byParticipant = new Map<string, TrackTally>();
    for (const [id, t] of this.tallies) byParticipant.set(id, { ...t });
    return {
      encrypted: this.encrypted,
      decrypted: this.decrypted,
      dropped: { ...this.dropped },
      decryptedByKid: this.decryptedByKid(),
      byParticipant,
      newerEpoch: this.newerEpoch > this.heldEpoch ? this.newerEpoch : -1,
    };
  }

  private decryptedByKid(): Map<bigint, number> {
    const out = new Map<bigint, number>();
    for (const [kid, record] of this.owners) if (record.opened > 0) out.set(kid, record.opened);
    return out;
  }

  /** A frame under a KID of an epoch newer than ours is evidence of a commit we lack (left-behind.ts). */
  private noteNewer(kid: bigint): void {
    if (this.heldEpoch < 0 || kid >> BigInt(KID_SENDER_BITS) > BigInt(this.heldEpoch + NEWER_EPOCH_HORIZON)) return;
    const epoch = splitKid(kid).epoch;
    if (epoch > this.heldEpoch && epoch > this.newerEpoch) this.newerEpoch = epoch;
  }

  private codecMatches(codec: MediaCodec, mimeType: string | undefined): boolean {
    if (mimeType === undefined || mimeType === '') return true; // older engines omit it; framing still checks the bytes
    return mimeType.toLowerCase() === (codec === 'vp8' ? VP8_MIME : OPUS_MIME);
  }

  private dropFrom(tally: MutableTally | undefined, reason: DropReason): null {
    if (tally !== undefined) tally.dropped++;
    return this.drop(reason);
  }

  private drop(reason: DropReason): null {
    this.dropped[reason]++;
    return null;
  }
}

function dropReasonOf(error: unknown): DropReason {
  if (!(error instanceof SealroomCryptoError)) return DropReason.malformed;
  switch (error.reason) {
    case 'auth-failed':
    case 'prefix-mismatch': // sealed by a key holder that lied about the frame's clear bytes
      return DropReason.auth;
    case 'replayed':
      return DropReason.replay;
    case 'too-far-ahead':
      return DropReason.ahead;
    case 'unknown-epoch':
    case 'unknown-sender':
      return DropReason.unknownKey;
    default:
      return DropReason.malformed;
  }
}
