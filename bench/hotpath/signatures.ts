// The media signature benchmark's dedicated Worker (bench/signatures.ts builds it with Vite and runs
// it in Chromium). It runs the app's MediaSigner and MediaVerifier (client/src/worker/) as the media
// Worker does, for simulated seconds of a call:
//   sender    one page: records every frame it seals (digest) and signs one batch per interval
//   receiver  one page of a `senders + 1`-person call: every other member's frames arrive before
//             their batch (shown at once, as in a call), then each batch is verified and applied
// and times the Worker's wall time for each side, per simulated second. Frames carry a real SFrame
// header and stand-in ciphertext (the verifier hashes the bytes as sent; decryption is not timed
// here: bench/worker.ts measures it). Batch sizes are the real signed bytes.
import { MediaSigner } from '../../client/src/worker/media-signer';
import { MediaVerifier } from '../../client/src/worker/media-verifier';
import { encodeSFrameHeader, kidFor, MEDIA_BATCH_INTERVAL_MS, mediaFrameDigest, sodiumReady } from '../../crypto/index';

export interface SignatureJob {
  readonly engine: 'webcrypto' | 'libsodium';
  readonly seconds: number;
  readonly senders: number;
  readonly videoFps: number;
  readonly audioFps: number;
  readonly videoBytes: number;
  readonly audioBytes: number;
}

export interface SignatureResult {
  readonly engine: string;
  /** Sender: Worker ms per simulated second (digests + signing), and of signing alone. */
  readonly senderMsPerSecond: number[];
  readonly signMsPerSecond: number[];
  /** Receiver of `senders` members: Worker ms per simulated second (digests, checks, verifying). */
  readonly receiverMsPerSecond: number[];
  readonly verifyMsPerSecond: number[];
  /** Signed bytes of every batch one sender made, and the frames each covered. */
  readonly batchBytes: number[];
  readonly batchFrames: number[];
  /** Time the Worker spent from the end of an interval to a verified, applied batch (sign + verify), ms. */
  readonly signToApplyMs: number[];
  /**
   * The digest floor, per simulated second of what the receiver gets: every frame hashed once with
   * the format's BLAKE2b (libsodium, as the verifier does), and, for comparison, with WebCrypto's
   * SHA-256 (native; 16 calls in flight at a time), ms.
   */
  readonly blake2bMsPerSecond: number[];
  readonly sha256MsPerSecond: number[];
}

const ROOM = new Uint8Array(16).fill(7);
const LIFE = 1;

function frame(kid: bigint, ctr: bigint, size: number): Uint8Array {
  const header = encodeSFrameHeader(kid, ctr);
  const out = new Uint8Array(header.length + size);
  out.set(header);
  for (let i = header.length; i < out.length; i++) out[i] = (i * 31 + Number(ctr & 0xffn)) & 0xff;
  return out;
}

async function run(job: SignatureJob): Promise<SignatureResult> {
  await sodiumReady();
  const ticks = Math.round(1000 / MEDIA_BATCH_INTERVAL_MS);
  const videoPerTick = job.videoFps / ticks;
  const audioPerTick = job.audioFps / ticks;
  const senders = await Promise.all(
    Array.from({ length: job.senders }, async (_, i) => {
      const signer = new MediaSigner(job.engine);
      signer.room(ROOM);
      return { signer, kid: kidFor(3, i + 1), next: BigInt(LIFE) << 32n, key: await signer.publicKey() };
    }),
  );
  let now = 0;
  const verifier = new MediaVerifier(() => now);
  verifier.room(ROOM);
  verifier.addKeys(senders.map((s, i) => ({ kid: s.kid, owner: `p${i}` })));
  for (const s of senders) verifier.signer(s.kid, LIFE, s.key);
  await new Promise((resolve) => setTimeout(resolve, 50)); // keys imported
  const result: SignatureResult = { engine: job.engine, senderMsPerSecond: [], signMsPerSecond: [], receiverMsPerSecond: [], verifyMsPerSecond: [], batchBytes: [], batchFrames: [], signToApplyMs: [], blake2bMsPerSecond: [], sha256MsPerSecond: [] };
  for (let second = 0; second < job.seconds; second++) {
    let sender = 0;
    let sign = 0;
    let receiver = 0;
    let verify = 0;
    for (let tick = 0; tick < ticks; tick++) {
      now += MEDIA_BATCH_INTERVAL_MS;
      const batches: Uint8Array[] = [];
      for (const [i, s] of senders.entries()) {
        // Frames of this interval: video and audio interleaved in the sender's one counter space.
        const count = Math.round(videoPerTick * (tick + 1)) - Math.round(videoPerTick * tick) + Math.round(audioPerTick * (tick + 1)) - Math.round(audioPerTick * tick);
        const frames: Uint8Array[] = [];
        for (let n = 0; n < count; n++) frames.push(frame(s.kid, s.next++, n % 8 < 3 ? job.videoBytes : job.audioBytes));
        const t0 = performance.now();
        for (const f of frames) s.signer.record(f, 'opus'); // every sender signs; sender 0's time is the "one sender" figure
        const t1 = performance.now();
        const signed = await s.signer.flush();
        const t2 = performance.now();
        if (i === 0) {
          sender += t2 - t0;
          sign += t2 - t1;
          for (const b of signed) result.batchBytes.push(b.length);
          result.batchFrames.push(frames.length);
        }
        // The receiver: the frames arrive first (shown at once), the batch after.
        const r0 = performance.now();
        for (const f of frames) {
          const a = verifier.admit(f, 'opus', `p${i}`);
          if (!(a instanceof Promise) && a.kind === 'optimistic') verifier.shown(a);
        }
        receiver += performance.now() - r0;
        batches.push(...signed);
        if (i === 0) result.signToApplyMs.push(t2 - t1);
      }
      const v0 = performance.now();
      await Promise.all(batches.map((b) => verifier.batch(b)));
      const v1 = performance.now();
      verifier.sweep();
      receiver += performance.now() - v0;
      verify += v1 - v0;
      result.signToApplyMs[result.signToApplyMs.length - 1]! += (v1 - v0) / senders.length;
    }
    result.senderMsPerSecond.push(sender);
    result.signMsPerSecond.push(sign);
    result.receiverMsPerSecond.push(receiver);
    result.verifyMsPerSecond.push(verify);
    const [blake2b, sha256] = await digestFloor(job);
    result.blake2bMsPerSecond.push(blake2b);
    result.sha256MsPerSecond.push(sha256);
  }
  const stats = verifier.stats();
  const alarms = [...stats.byParticipant.values()].reduce((n, t) => n + t.unsigned + t.forged, 0);
  if (alarms > 0 || stats.badBatches > 0) throw new Error(`the bench's own honest stream raised ${alarms} alarms and ${stats.badBatches} bad batches`);
  return result;
}

/** One second of the receiver's frames (as `run` sends them), hashed once each: BLAKE2b, then SHA-256. */
async function digestFloor(job: SignatureJob): Promise<[number, number]> {
  const video = Array.from({ length: 8 }, (_, i) => frame(kidFor(3, 1), BigInt(i), job.videoBytes));
  const audio = Array.from({ length: 8 }, (_, i) => frame(kidFor(3, 1), BigInt(i), job.audioBytes));
  const frames: Uint8Array<ArrayBuffer>[] = [];
  for (let s = 0; s < job.senders; s++) {
    for (let n = 0; n < job.videoFps; n++) frames.push(video[n % 8]! as Uint8Array<ArrayBuffer>);
    for (let n = 0; n < job.audioFps; n++) frames.push(audio[n % 8]! as Uint8Array<ArrayBuffer>);
  }
  const b0 = performance.now();
  for (const f of frames) mediaFrameDigest(f);
  const b1 = performance.now();
  for (let i = 0; i < frames.length; i += 16) await Promise.all(frames.slice(i, i + 16).map((f) => crypto.subtle.digest('SHA-256', f)));
  return [b1 - b0, performance.now() - b1];
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<SignatureJob>) => void) | null;
  postMessage(message: { ok: true; results: SignatureResult } | { ok: false; error: string }): void;
}
const scope = self as unknown as WorkerScope;
scope.onmessage = (event) => {
  run(event.data).then(
    (results) => scope.postMessage({ ok: true, results }),
    (error: unknown) => scope.postMessage({ ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }),
  );
};
