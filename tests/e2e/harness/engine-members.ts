// Sealroom members in any engine, for the cross-engine browser tests: the audit flag on, a CSP
// violation recorder, and each member's camera known, so a viewer can tell whose picture it shows:
// a Chromium member plays its own Y4M pattern (pattern.ts); a Firefox member's camera is Firefox's
// fake one (fake-camera.ts).
import { quadrantColours, resemblesPattern } from './analysis';
import { type Engine, type EngineParticipant, launchEngine } from './engines';
import { fakeCameraMoved, fakeCameraView, looksLikeFirefoxFakeCamera } from './fake-camera';
import { AUDIT_ON } from './members';
import { type Pattern, sampleVideo, writePatternY4m } from './pattern';
import { type WaitOptions, waitUntil } from './wait';
import type { RgbSample } from '../rawpeer/api';

export interface EngineMember extends EngineParticipant {
  /** The Y4M pattern a Chromium member's camera plays; null for Firefox's own fake camera. */
  readonly pattern: Pattern | null;
}

/** Records every securitypolicyviolation the document reports (directive and blocked URI). */
const CSP_RECORDER = `(() => {
  const seen = [];
  Object.defineProperty(window, '__sealroomCspViolations', { value: seen });
  document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective + ' ' + e.blockedURI));
})();`;

export async function launchEngineMember(engine: Engine, name: string, origin: string, pattern: Pattern, options: { display?: string } = {}): Promise<EngineMember> {
  const fakeVideo = engine === 'chromium' ? { fakeVideo: await writePatternY4m(pattern) } : {};
  const person = await launchEngine(engine, name, origin, { ...fakeVideo, ...options, initScripts: [AUDIT_ON, CSP_RECORDER] });
  return Object.assign(person, { pattern: engine === 'chromium' ? pattern : null });
}

/** Content-Security-Policy violations the member's page reported since it loaded. */
export function cspViolations(member: EngineParticipant): Promise<string[]> {
  return member.page.evaluate<string[]>('[...(window.__sealroomCspViolations ?? [])]');
}

export interface SeenPicture {
  sample: RgbSample;
  /** For a Firefox sender: a second sample, taken after the first, in which the hue had moved on. */
  later?: RgbSample;
}

/** A sample that a timeout message shows as its four quadrant colours, not 1 728 numbers. */
function summarised(sample: RgbSample): RgbSample {
  return Object.defineProperty({ ...sample }, 'toJSON', { value: () => ({ quadrants: quadrantColours(sample).map((q) => q.map(Math.round)) }) });
}

/**
 * Waits until `viewer`'s <video> matching `selector` shows `sender`'s camera: its pattern, or for a
 * Firefox sender Firefox's fake camera with its colour turning between two samples.
 */
export async function waitForSendersPicture(viewer: EngineParticipant, selector: string, sender: EngineMember, options?: WaitOptions): Promise<SeenPicture> {
  const what = `${viewer.name} (${viewer.engine}) sees ${sender.name}'s (${sender.engine}) camera`;
  const probe = async () => summarised(await sampleVideo(viewer.page, selector));
  const pattern = sender.pattern;
  if (pattern !== null) return { sample: await waitUntil(what, probe, (s) => resemblesPattern(s, pattern.quadrants), options) };
  const sample = await waitUntil(`${what} (one saturated colour)`, probe, looksLikeFirefoxFakeCamera, options);
  const later = await waitUntil(`${what}, its colour turning from ${JSON.stringify(fakeCameraView(sample).colour.map(Math.round))}`, probe, (s) => fakeCameraMoved(sample, s), options);
  return { sample, later };
}
