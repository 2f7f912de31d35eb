// Media hot path where it runs: the app's FrameCryptor against raw WebCrypto AES-128-GCM, inside a
// browser's dedicated Worker (bench/hotpath/worker.ts). No LiveKit, no namespace: the Worker is built
// with Vite into the OS temp dir, served from 127.0.0.1 with cross-origin isolation (so the Worker's
// clock is fine-grained), and run in Debian Chromium (and Firefox ESR when installed, unless
// SEALROOM_BENCH_CHROMIUM_ONLY is set).
//
//   per frame     = a batch's summed step times / its frames (each frame encrypted, then decrypted); median and p95
//                   over rounds; ratio = median over rounds of (cryptor enc+dec) / (raw enc+dec)
//   50-person CPU = 1,470 video frames/s at 8 KB + 2,450 audio frames/s at 120 B, times the
//                   cryptor's median decrypt time: wall time in one Worker, an upper bound of its CPU
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchParticipant } from '../tests/e2e/harness/browser';
import { FIREFOX_PATH, launchFirefox } from '../tests/e2e/harness/firefox';
import type { HotpathJob, HotpathResult } from './hotpath/worker';
import { type BenchSection, type Cell } from './section';
import { runJob, serveWorker } from './worker-page';

const SIZES = [120, 1200, 8 * 1024, 100 * 1024] as const;
const TARGETS: Readonly<Record<number, number>> = { 120: 1.25, 8192: 1.1 };
const JOB: HotpathJob = { sizes: SIZES, rounds: 201, warmup: 20, variants: ['cryptor', 'media', 'sframe', 'pooled', 'floor', 'gcm+aad', 'raw'] };
const VIDEO_FPS = 1470;
const AUDIO_FPS = 2450;
const OUT_DIR = join(tmpdir(), 'sealroom-bench-hotpath');

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}
const median = (values: readonly number[]): number => quantile(values, 0.5);
const sum = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => x + (b[i] as number));

/** Layers in the order they build on each other (bench/hotpath/worker.ts says what each holds). */
const LAYER_ORDER = ['raw', 'gcm+aad', 'floor', 'pooled', 'sframe', 'media', 'cryptor'] as const;

function sections(engine: string, isolated: boolean, results: readonly HotpathResult[]): BenchSection[] {
  const rows: Record<string, Cell>[] = [];
  const layers: Record<string, Cell>[] = [];
  const verdicts: string[] = [];
  const decryptMedian = new Map<number, number>();
  for (const r of results) {
    const ours = r.variants['cryptor'] ?? { enc: [], dec: [] };
    const raw = r.variants['raw'] ?? { enc: [], dec: [] };
    const oursBoth = sum(ours.enc, ours.dec);
    const rawBoth = sum(raw.enc, raw.dec);
    // Per round, both timed in the same round under the same load; the median of those ratios.
    const perRound = oursBoth.map((x, i) => x / (rawBoth[i] as number));
    const ratio = median(perRound);
    const target = TARGETS[r.size];
    decryptMedian.set(r.size, median(ours.dec));
    rows.push({
      'frame bytes': r.size,
      codec: r.size <= 200 ? 'opus' : 'vp8 delta',
      'FrameCryptor µs': median(oursBoth),
      'raw AES-GCM µs': median(rawBoth),
      'ratio (cryptor/raw)': ratio,
      'ratio p25-p75': `${quantile(perRound, 0.25).toFixed(2)}-${quantile(perRound, 0.75).toFixed(2)}`,
      target: target === undefined ? '' : `≤ ${target}`,
      status: target === undefined ? '' : ratio <= target ? 'MET' : 'NOT MET',
      'enc ratio': median(ours.enc.map((x, i) => x / (raw.enc[i] as number))),
      'dec ratio': median(ours.dec.map((x, i) => x / (raw.dec[i] as number))),
      'FrameCryptor p95 µs': quantile(oursBoth, 0.95),
      'raw p95 µs': quantile(rawBoth, 0.95),
      frames: ours.enc.length * r.batch,
    });
    if (target !== undefined) verdicts.push(`${r.size} B: ${ratio.toFixed(3)} (target ≤ ${target}) ${ratio <= target ? 'MET' : 'NOT MET'}`);
    const layer: Record<string, Cell> = { 'frame bytes': r.size };
    for (const name of LAYER_ORDER) {
      const t = r.variants[name];
      if (t === undefined) continue;
      const both = sum(t.enc, t.dec);
      layer[`${name} µs`] = median(both);
      layer[`${name} ×raw`] = median(both.map((x, i) => x / (rawBoth[i] as number)));
    }
    layers.push(layer);
  }
  const video = decryptMedian.get(8192) ?? 0;
  const audio = decryptMedian.get(120) ?? 0;
  const share = ((VIDEO_FPS * video + AUDIO_FPS * audio) / 1e6) * 100;
  const id = engine.toLowerCase();
  return [
    {
      name: `worker-${id}`,
      title: `Media hot path in a ${engine} dedicated Worker: FrameCryptor (VP8/Opus framing + SFrame suite 4) vs raw AES-128-GCM, enc+dec µs per frame`,
      rows,
      notes: [
        `targets: ${verdicts.join('; ')}`,
        `50-person receiver: ${VIDEO_FPS} video frames/s × ${video.toFixed(1)} µs (8 KB decrypt) + ${AUDIO_FPS} audio frames/s × ${audio.toFixed(1)} µs (120 B decrypt) = ${share.toFixed(1)} % of one core (Worker wall time, an upper bound).`,
        `${JOB.rounds} rounds after ${JOB.warmup} warm-up rounds; each round runs a batch per variant in a rotating order, every frame encrypted then decrypted at once; µs per frame = the batch's summed step times / its size, median and p95 over rounds; ratio = median over rounds of that round's cryptor/raw (p25-p75 shows their spread). crossOriginIsolated: ${isolated}.`,
        'FrameCryptor: sender in page life 1 (CTR = 1 << 32 | n), receiver holding the KID with its owner, track bound to that owner, forward-bounded replay window; 120 B frames are Opus, the rest VP8 delta frames. Raw: the same plaintext, 16-byte key, 12-byte IV, no AAD.',
      ],
    },
    {
      name: `worker-${id}-layers`,
      title: `Where the time goes (${engine} Worker, enc+dec µs per frame and ×raw, medians over rounds)`,
      rows: layers,
      notes: [
        'raw: AES-GCM, no AAD. gcm+aad: + SFrame nonce (salt XOR CTR) and AAD (header || codec id || prefix) in reused buffers. floor: + the fresh buffer the wire format forces with WebCrypto (sealed bytes copied behind prefix || header; the whole frame is encrypted, prefix too, so the opened bytes are WebCrypto\'s buffer). pooled: floor copying into a reused buffer instead (not usable: frame.data takes the buffer). sframe: SFrameSender/SFrameReceiver (header, replay window; no prefix). media: protectMediaFrame/unprotectMediaFrame. cryptor: + FrameCryptor (binding check, stats).',
      ],
    },
  ];
}

export async function run(): Promise<BenchSection[]> {
  const server = await serveWorker('bench/hotpath/worker.ts', OUT_DIR);
  const out: BenchSection[] = [];
  try {
    const chromium = await launchParticipant('bench-worker', server.origin);
    try {
      const { isolated, results } = await runJob<HotpathResult[]>(chromium.page, server.origin, JOB);
      out.push(...sections('Chromium', isolated, results));
    } finally {
      await chromium.close();
    }
    if (existsSync(FIREFOX_PATH) && process.env.SEALROOM_BENCH_CHROMIUM_ONLY === undefined) {
      const firefox = await launchFirefox('bench-worker');
      try {
        const page = { goto: (url: string) => firefox.page.goto(url), evaluate: (expression: string) => firefox.page.evaluate(expression) };
        const { isolated, results } = await runJob<HotpathResult[]>(page, server.origin, JOB);
        out.push(...sections('Firefox', isolated, results));
      } finally {
        await firefox.close();
      }
    }
  } finally {
    await server.close();
  }
  return out;
}
