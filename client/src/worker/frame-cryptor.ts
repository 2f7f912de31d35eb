// Per-frame SFrame protection for one participant: every sender and receiver transform of the page
// goes through one FrameCryptor, so one counter per KID covers every track and simulcast layer.
// Fail closed: a frame that cannot be protected is dropped, and a received frame that does not
// authenticate is dropped, whatever the SFU says about the track. Nothing is ever passed in clear.
import { SealroomCryptoError } from '../../../crypto/index';
import { type MediaCodec, protectMediaFrame, splitMediaFrame, unprotectMediaFrame } from '../../../crypto/index';
import { SFrameReceiver, SFrameSender, decodeSFrameHeader } from '../../../crypto/index';
import { DropReason, type KeyEntry, type WorkerStats } from './messages';

const VP8_MIME = 'video/vp8';
const OPUS_MIME = 'audio/opus';

export class FrameCryptor {
  private readonly sender = new SFrameSender();
  private readonly receiver = new SFrameReceiver();
  private sendKid: bigint | null = null;
  private sending = true;
  private encrypted = 0;
  private decrypted = 0;
  private readonly dropped: Record<DropReason, number> = { 'no-send-key': 0, codec: 0, malformed: 0, 'unknown-key': 0, auth: 0, replay: 0 };
  private readonly decryptedByKid = new Map<bigint, number>();
  private readonly droppedByKid = new Map<bigint, number>();

  async addKeys(keys: readonly KeyEntry[], send?: KeyEntry): Promise<void> {
    await Promise.all(keys.map((k) => this.receiver.addKey(k.kid, k.baseKey)));
    if (send !== undefined) await this.sender.addKey(send.kid, send.baseKey);
  }

  useSendKid(kid: bigint): void {
    if (!this.sender.hasKey(kid)) throw new Error(`no send key for KID ${kid}`);
    this.sendKid = kid;
    this.sending = true;
  }

  removeKeys(kids: readonly bigint[]): void {
    for (const kid of kids) {
      this.receiver.removeKey(kid);
      if (this.sender.removeKey(kid) && this.sendKid === kid) this.sendKid = null;
    }
  }

  stopSending(): void {
    this.sending = false;
    this.sendKid = null;
  }

  /** Protected bytes, or null when the frame must be dropped. */
  async encrypt(data: Uint8Array, codec: MediaCodec, mimeType: string | undefined): Promise<Uint8Array | null> {
    if (!this.codecMatches(codec, mimeType)) return this.drop(DropReason.codec);
    const kid = this.sendKid;
    if (kid === null || !this.sending) return this.drop(DropReason.noSendKey);
    try {
      const out = await protectMediaFrame({ sender: this.sender, kid, codec, frame: data });
      this.encrypted++;
      return out;
    } catch {
      return this.drop(DropReason.malformed);
    }
  }

  /** The sender's encoded frame, or null when the frame must be dropped. */
  async decrypt(data: Uint8Array, codec: MediaCodec): Promise<Uint8Array | null> {
    try {
      const opened = await unprotectMediaFrame({ receiver: this.receiver, codec, data });
      this.decrypted++;
      this.decryptedByKid.set(opened.kid, (this.decryptedByKid.get(opened.kid) ?? 0) + 1);
      return opened.frame;
    } catch (error) {
      return this.drop(dropReasonOf(error), claimedKid(data, codec));
    }
  }

  /** How many distinct KIDs have opened at least one frame. */
  openedKids(): number {
    return this.decryptedByKid.size;
  }

  stats(): WorkerStats {
    return {
      encrypted: this.encrypted,
      decrypted: this.decrypted,
      dropped: { ...this.dropped },
      decryptedByKid: new Map(this.decryptedByKid),
      droppedByKid: new Map(this.droppedByKid),
    };
  }

  private codecMatches(codec: MediaCodec, mimeType: string | undefined): boolean {
    if (mimeType === undefined || mimeType === '') return true; // older engines omit it; framing still checks the bytes
    return mimeType.toLowerCase() === (codec === 'vp8' ? VP8_MIME : OPUS_MIME);
  }

  private drop(reason: DropReason, kid?: bigint): null {
    this.dropped[reason]++;
    if (kid !== undefined) this.droppedByKid.set(kid, (this.droppedByKid.get(kid) ?? 0) + 1);
    return null;
  }
}

function dropReasonOf(error: unknown): DropReason {
  if (!(error instanceof SealroomCryptoError)) return DropReason.malformed;
  switch (error.reason) {
    case 'auth-failed':
      return DropReason.auth;
    case 'replayed':
      return DropReason.replay;
    case 'unknown-epoch':
    case 'unknown-sender':
      return DropReason.unknownKey;
    default:
      return DropReason.malformed;
  }
}

/** The KID a dropped frame claims, for per-sender stats only (it is unauthenticated). */
function claimedKid(data: Uint8Array, codec: MediaCodec): bigint | undefined {
  try {
    return decodeSFrameHeader(splitMediaFrame(codec, data).rest).kid;
  } catch {
    return undefined;
  }
}
