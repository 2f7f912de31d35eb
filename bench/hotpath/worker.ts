// The media hot-path benchmark's dedicated Worker (bench/worker.ts builds it with Vite and runs it in
// Chromium). It times, in this one Worker, batches of frames through:
//   cryptor   the app's FrameCryptor: a sender page in page life 1 encrypts, a receiver holding the
//             KID with its owner and a track bound to that owner decrypts (client/src/worker/)
//   media     protectMediaFrame / unprotectMediaFrame on SFrameSender / SFrameReceiver (crypto/media)
//   sframe    SFrameSender.protect / SFrameReceiver.unprotect with the same metadata (crypto/sframe)
//   gcm+aad   raw crypto.subtle AES-128-GCM with a salt-XOR-CTR nonce and a header-sized AAD
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
  protectMediaFrame,
  sframeNonce,
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

type Variant = 'cryptor' | 'media' | 'sframe' | 'floor' | 'gcm+aad' | 'raw';

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
const BATCH_BYTES = 384 * 1024;

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
    seal: async (frame) => must(await sender.encrypt(frame, codec, mime)),
    open: async (sealed) => must(await receiver.decrypt(sealed, codec, OWNER, performance.now())),
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
  const metadata = Uint8Array.of(1, 0x31, 0, 0);
  return {
    seal: (frame) => sender.protect(kid, frame, metadata),
    open: (sealed) => receiver.unprotect(sealed, metadata, performance.now()),
  };
}

/** gcm+aad plus what the wire format forces with WebCrypto: the sealed bytes copied behind a lead, opened from a view, the plaintext copied behind a VP8 prefix. */
async function floorPipeline(): Promise<Pipeline> {
  const gcm = await rawPipeline(true);
  const LEAD = 9;
  const PREFIX = 3;
  return {
    seal: async (frame) => {
      const body = await gcm.seal(frame);
      const out = new Uint8Array(LEAD + body.length);
      out.set(body, LEAD);
      return out;
    },
    open: async (sealed) => {
      const plain = new Uint8Array((await gcm.open(sealed.subarray(LEAD))) as ArrayBuffer);
      const out = new Uint8Array(PREFIX + plain.length);
      out.set(plain, PREFIX);
      return out;
    },
  };
}

async function rawPipeline(withAad: boolean): Promise<Pipeline> {
  const s = subtle();
  const key = await s.importKey('raw', crypto.getRandomValues(new Uint8Array(16)), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const salt = crypto.getRandomValues(new Uint8Array(12));
  const aad = Uint8Array.of(0xb4, 0xc1, 1, 0, 0, 0, 0, 0, 1, 0x31, 0, 0);
  let sealCtr = 1n << 32n;
  let openCtr = 1n << 32n;
  const fixedIv = new Uint8Array(12);
  const ivView = new DataView(fixedIv.buffer);
  let counter = 0;
  if (withAad) {
    return {
      seal: async (frame) => new Uint8Array(await s.encrypt({ name: 'AES-GCM', iv: sframeNonce(salt, sealCtr++) as Uint8Array<ArrayBuffer>, additionalData: aad }, key, frame)),
      open: (ct) => s.decrypt({ name: 'AES-GCM', iv: sframeNonce(salt, openCtr++) as Uint8Array<ArrayBuffer>, additionalData: aad }, key, ct as Uint8Array<ArrayBuffer>),
    };
  }
  // The raw baseline: one fixed IV buffer rewritten per frame (sealing and opening alternate by batch, so each keeps its own count).
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
      pipes.set(v, v === 'cryptor' ? await cryptorPipeline(codec, baseKey) : v === 'media' ? await mediaPipeline(codec, baseKey) : v === 'sframe' ? await sframePipeline(baseKey) : v === 'floor' ? await floorPipeline() : await rawPipeline(v === 'gcm+aad'));
    }
    const frame = frameOf(size, codec);
    const n = Math.max(8, Math.min(512, Math.round(BATCH_BYTES / size)));
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
