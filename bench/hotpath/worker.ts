// The media hot-path benchmark's dedicated Worker (bench/worker.ts builds it with Vite and runs it in
// Chromium). It times, in this one Worker, batches of frames through:
//   cryptor   the app's FrameCryptor: a sender page in page life 1 encrypts, a receiver holding the
//             KID with its owner and a track bound to that owner decrypts (client/src/worker/)
//   media     protectMediaFrame / unprotectMediaFrame on SFrameSender / SFrameReceiver (crypto/media)
//   sframe    SFrameSender.protect / SFrameReceiver.unprotect with the same metadata (crypto/sframe)
//   pooled, floor, gcm+aad   crypto.subtle AES-128-GCM with SFrame's nonce and AAD, with and without
//             the copies the wire format forces (gcmPipeline says what each holds)
//   raw       raw crypto.subtle AES-128-GCM encrypt / decrypt of the same bytes, no AAD
// Each round runs every variant once over a batch of frames (each frame encrypted, then decrypted at
// once, as in a call: one frame live at a time), in an order that rotates from round to round, so
// drift and load hit them alike. Results are µs per frame of each batch, encrypt and decrypt apart.
import { FrameCryptor } from '../../client/src/worker/frame-cryptor';
import {
  type MediaCodec,
  MEDIA_FORWARD_BOUND,
  PAGE_LIFE_CTR_BITS,
  SFrameReceiver,
  SFrameSender,
  kidFor,
  pageLifeCounters,
  MEDIA_CODEC_ID,
  protectMediaFrame,
  subtle,
  unprotectMediaFrame,
} from '../../crypto/index';

export interface HotpathJob {
  readonly sizes: readonly number[];
  readonly rounds: number;
  readonly warmup: number;
  /** Variants to time; `cryptor` and `raw` always. */
  readonly variants: readonly Variant[];
}

type Variant = 'cryptor' | 'media' | 'sframe' | 'pooled' | 'floor' | 'gcm+aad' | 'raw';

/** Per size and variant: µs per frame of every timed batch, encrypt and decrypt apart. */
export interface HotpathResult {
  readonly size: number;
  readonly batch: number;
  readonly variants: Record<string, { readonly enc: number[]; readonly dec: number[] }>;
}

interface Pipeline {
  seal(frame: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
  open(sealed: Uint8Array): Promise<unknown>;
}

const OWNER = 'PA_bench';
const LIFE = 1;
/** Aim for about this many bytes per batch, so a batch lasts milliseconds whatever the frame size. */
const BATCH_BYTES = 96 * 1024;
/** Small batches, many rounds: a round's variants run within a few ms of each other, so load spikes hit them alike. */
const MAX_BATCH = 64;

function frameOf(size: number, codec: MediaCodec): Uint8Array<ArrayBuffer> {
  const f = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff);
  if (codec === 'vp8') f[0] = 0x31; // bit 0 set: a VP8 delta frame, 3-byte clear prefix
  return f;
}

const codecFor = (size: number): MediaCodec => (size <= 200 ? 'opus' : 'vp8');
const mimeFor = (codec: MediaCodec): string => (codec === 'opus' ? 'audio/opus' : 'video/VP8');
const must = <T>(value: T | null): T => {
  if (value === null) throw new Error('a benchmark frame was dropped');
  return value;
};

async function cryptorPipeline(codec: MediaCodec, baseKey: Uint8Array): Promise<Pipeline> {
  const kid = kidFor(3, 7);
  const sender = new FrameCryptor();
  await sender.addKeys([], { kid, baseKey, owner: OWNER, life: LIFE });
  sender.useSendKid(kid);
  const receiver = new FrameCryptor();
  await receiver.addKeys([{ kid, baseKey, owner: OWNER }]);
  receiver.bound(OWNER);
  const mime = mimeFor(codec);
  return {
    seal: (frame) => sender.encrypt(frame, codec, mime).then(must),
    open: (sealed) => receiver.decrypt(sealed, codec, OWNER, performance.now()).then(must),
  };
}

/** A sender in page life LIFE and a receiver configured as the app's, holding one KID's key. */
async function sframePair(baseKey: Uint8Array): Promise<{ kid: bigint; sender: SFrameSender; receiver: SFrameReceiver }> {
  const kid = kidFor(3, 7);
  const sender = new SFrameSender();
  const { first, end } = pageLifeCounters(LIFE);
  await sender.addKey(kid, baseKey, first, end);
  const receiver = new SFrameReceiver(undefined, { counterSpaceBits: PAGE_LIFE_CTR_BITS, forwardBound: MEDIA_FORWARD_BOUND });
  await receiver.addKey(kid, baseKey);
  return { kid, sender, receiver };
}

async function mediaPipeline(codec: MediaCodec, baseKey: Uint8Array): Promise<Pipeline> {
  const { kid, sender, receiver } = await sframePair(baseKey);
  return {
    seal: (frame) => protectMediaFrame({ sender, kid, codec, frame }),
    open: (data) => unprotectMediaFrame({ receiver, codec, data, nowMs: performance.now() }),
  };
}

async function sframePipeline(baseKey: Uint8Array): Promise<Pipeline> {
  const { kid, sender, receiver } = await sframePair(baseKey);
  const metadata = Uint8Array.of(MEDIA_CODEC_ID.vp8, 0x31, 0, 0);
  return {
    seal: (frame) => sender.protect(kid, frame, metadata),
    open: (sealed) => receiver.unprotect(sealed, metadata, performance.now()),
  };
}

/**
 * The WebCrypto layers under SFrame, on one key and salt:
 *   gcm+aad  AES-GCM with the SFrame nonce (salt XOR CTR) and AAD (7-byte header, codec id, prefix), written into
 *            buffers reused for every frame, as crypto/sframe does
 *   floor    + the fresh buffer the wire format forces with WebCrypto: the sealed bytes copied
 *            behind prefix || header (the whole frame is encrypted, its prefix too, so the opened
 *            bytes are WebCrypto's output and need no copy; crypto/media/protect.ts)
 *   pooled   floor with that copy made into a reused buffer: not usable in the app (frame.data
 *            takes the buffer), measured to show what the copy costs apart from allocation
 */
async function gcmPipeline(kind: 'gcm+aad' | 'floor' | 'pooled', codec: MediaCodec): Promise<Pipeline> {
  const s = subtle();
  const key = await s.importKey('raw', crypto.getRandomValues(new Uint8Array(16)), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const salt = crypto.getRandomValues(new Uint8Array(12));
  const header = [0x8c, 0xc7, 1, 0, 0, 0, 0]; // KID 199, CTR 1 << 32 | n: the 7-byte header the app sends
  const prefix = codec === 'vp8' ? [0x31, 0, 0] : [];
  const aadBytes = [...header, MEDIA_CODEC_ID[codec], ...prefix];
  const nonce = new Uint8Array(new ArrayBuffer(12));
  const view = new DataView(nonce.buffer);
  const aadRoom = new Uint8Array(new ArrayBuffer(64));
  const lead = prefix.length + header.length;
  const pool = kind === 'pooled' ? new Uint8Array(new ArrayBuffer(lead + 128 * 1024)) : null;
  let sealLo = 0;
  let openLo = 0;
  const params = (lo: number): AesGcmParams => {
    // nonce = salt XOR CTR, CTR = LIFE << 32 | lo, in 32-bit halves (as crypto/sframe/keys.ts writes it)
    nonce.set(salt);
    view.setUint32(4, view.getUint32(4) ^ LIFE);
    view.setUint32(8, view.getUint32(8) ^ lo);
    aadRoom.set(aadBytes);
    return { name: 'AES-GCM', iv: nonce, additionalData: aadRoom.subarray(0, aadBytes.length) };
  };
  return {
    seal: (frame) =>
      s.encrypt(params(sealLo++), key, frame).then((buffer) => {
        if (kind === 'gcm+aad') return new Uint8Array(buffer);
        const body = new Uint8Array(buffer);
        const out = pool === null ? new Uint8Array(lead + body.length) : pool.subarray(0, lead + body.length);
        out.set(body, lead);
        return out;
      }),
    open: (sealed) => s.decrypt(params(openLo++), key, (kind === 'gcm+aad' ? sealed : sealed.subarray(lead)) as Uint8Array<ArrayBuffer>).then((buffer) => new Uint8Array(buffer)),
  };
}

async function rawPipeline(): Promise<Pipeline> {
  const s = subtle();
  const key = await s.importKey('raw', crypto.getRandomValues(new Uint8Array(16)), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const fixedIv = new Uint8Array(12);
  const ivView = new DataView(fixedIv.buffer);
  // One fixed IV buffer rewritten per frame (sealing and opening each keep their own count).
  let counter = 0;
  let openCounter = 0;
  return {
    seal: async (frame) => {
      ivView.setUint32(8, counter++);
      return new Uint8Array(await s.encrypt({ name: 'AES-GCM', iv: fixedIv }, key, frame));
    },
    open: (ct) => {
      ivView.setUint32(8, openCounter++);
      return s.decrypt({ name: 'AES-GCM', iv: fixedIv }, key, ct as Uint8Array<ArrayBuffer>);
    },
  };
}

/** Encrypts and at once decrypts each frame of a batch, as a call does; the clock is read around each step and summed. */
async function timeBatch(pipe: Pipeline, frame: Uint8Array<ArrayBuffer>, n: number, into: { enc: number[]; dec: number[] } | null): Promise<void> {
  let enc = 0;
  let dec = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const sealed = await pipe.seal(frame);
    const t1 = performance.now();
    await pipe.open(sealed);
    const t2 = performance.now();
    enc += t1 - t0;
    dec += t2 - t1;
  }
  if (into === null) return;
  into.enc.push((enc * 1000) / n);
  into.dec.push((dec * 1000) / n);
}

async function runHotpath(job: HotpathJob): Promise<HotpathResult[]> {
  const out: HotpathResult[] = [];
  const variants: Variant[] = ['cryptor', 'raw', ...job.variants.filter((v) => v !== 'cryptor' && v !== 'raw')];
  for (const size of job.sizes) {
    const codec = codecFor(size);
    const baseKey = crypto.getRandomValues(new Uint8Array(32));
    const pipes = new Map<Variant, Pipeline>();
    for (const v of variants) {
      pipes.set(v, v === 'cryptor' ? await cryptorPipeline(codec, baseKey) : v === 'media' ? await mediaPipeline(codec, baseKey) : v === 'sframe' ? await sframePipeline(baseKey) : v === 'raw' ? await rawPipeline() : await gcmPipeline(v, codec));
    }
    const frame = frameOf(size, codec);
    const n = Math.max(8, Math.min(MAX_BATCH, Math.round(BATCH_BYTES / size)));
    const times: Record<string, { enc: number[]; dec: number[] }> = Object.fromEntries(variants.map((v) => [v, { enc: [], dec: [] }]));
    for (let round = 0; round < job.warmup + job.rounds; round++) {
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(round + i) % variants.length] as Variant;
        await timeBatch(pipes.get(v) as Pipeline, frame, n, round < job.warmup ? null : (times[v] ?? null));
      }
    }
    out.push({ size, batch: n, variants: times });
  }
  return out;
}

interface BenchScope {
  onmessage: ((event: MessageEvent<HotpathJob>) => void) | null;
  postMessage(message: { ok: true; results: HotpathResult[] } | { ok: false; error: string }): void;
}

const scope = self as unknown as BenchScope;
scope.onmessage = (event) => {
  runHotpath(event.data).then(
    (results) => scope.postMessage({ ok: true, results }),
    (error: unknown) => scope.postMessage({ ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }),
  );
};
