// Test-only, and only while the page's audit flag is on (the Worker refuses these modes otherwise):
// what the browser tests of [M1] need to play a member who colludes with the SFU, and a lossy path.
//
//   forge:    every member derives every sender's SFrame base key from the epoch secret, so a
//             member can seal frames under the host's KID; with the SFU's help they replace the
//             host's own frames on the host's track. The page that runs this plays the victim's
//             outgoing side: every `every`-th VP8 delta frame it seals (and signs, in its batch) is
//             replaced, on the wire, by another frame sealed under the same key and counter with
//             other content. The bytes are exactly those a member holding the base key would make;
//             doing it here, after the victim's transform, stands in for the SFU putting them on
//             the victim's track without disconnecting the victim.
//   disorder: on the page that receives, each receiver transform loses one arriving frame in
//             `every` and swaps the order of the next two, as a lossy, reordering network would
//             (done here because Chromium's receive side puts frames back in order before the
//             transform).
// Never holds anything the Worker did not already hold; never used when the audit flag is off.
import { type MediaCodec, SFrameSender, decodeSFrameHeader, mediaFrameType, protectMediaFrame, splitMediaFrame } from '../../../crypto/index';
import { type SentHeader } from './messages';

export type TestMode = { readonly mode: 'forge' | 'disorder'; readonly every: number } | null;


export class TestForger {
  #mode: TestMode = null;
  #sendKey: { readonly kid: bigint; readonly baseKey: Uint8Array } | null = null;
  readonly #seen = new Map<string, number>();
  readonly #held = new Map<string, () => Promise<void>>();
  /** (KID, CTR) of every frame this page replaced with a forgery. */
  readonly forged: SentHeader[] = [];

  set(mode: TestMode): void {
    this.#mode = mode !== null && mode.every >= 2 ? mode : null;
  }

  sendKey(kid: bigint, baseKey: Uint8Array): void {
    this.#sendKey = { kid, baseKey };
  }

  get forging(): boolean {
    return this.#mode?.mode === 'forge';
  }

  get disordering(): boolean {
    return this.#mode?.mode === 'disorder';
  }

  /** A frame arrived on receiver `label`: `handle` it now, later (after the next one) or never. */
  async arrive(label: string, handle: () => Promise<void>): Promise<void> {
    const every = this.#mode?.every ?? 0;
    const n = (this.#seen.get(label) ?? 0) + 1;
    this.#seen.set(label, n);
    if (n % every === 0) return; // lost
    const held = this.#held.get(label);
    if (held !== undefined) {
      this.#held.delete(label);
      await handle();
      return held(); // after the one that arrived later
    }
    if (n % every === 1) {
      this.#held.set(label, handle);
      return;
    }
    return handle();
  }

  /**
   * The frame this page just sealed and signed (`sealed`, from `plain`): calls `emit` with what goes
   * on the wire (a forgery in its place, or the frame itself).
   */
  async pass(plain: Uint8Array, sealed: Uint8Array, codec: MediaCodec, label: string, emit: (out: Uint8Array) => void): Promise<void> {
    const mode = this.#mode;
    if (mode?.mode !== 'forge') return emit(sealed);
    const n = (this.#seen.get(label) ?? 0) + 1;
    this.#seen.set(label, n);
    if (codec !== 'vp8' || mediaFrameType(codec, plain) !== 'delta' || n % mode.every !== 0 || this.#sendKey === null) return emit(sealed);
    const { kid, ctr } = decodeSFrameHeader(splitMediaFrame(codec, sealed).rest);
    if (kid !== this.#sendKey.kid) return emit(sealed);
    const other = plain.slice();
    for (let i = Math.max(3, other.length - 8); i < other.length; i++) other[i] = (other[i] as number) ^ 0xff;
    const forger = new SFrameSender();
    await forger.addKey(kid, this.#sendKey.baseKey, ctr, ctr + 1n);
    this.forged.push({ kid, ctr, label });
    emit(await protectMediaFrame({ sender: forger, kid, codec, frame: other }));
  }
}
