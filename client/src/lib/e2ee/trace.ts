// Timestamps of protocol steps (knock sent, knock received, admit sent, epoch installed...), kept
// only while the audit flag is on, for the nonce audit and the join/rekey benchmarks. Times are
// absolute milliseconds (performance.timeOrigin + now) so pages on one machine compare directly.
// Never holds key material or names: just a step name and a public detail (an epoch, an id).
const AUDIT_FLAG = 'sealroom.audit';

export interface TraceEvent {
  readonly step: string;
  readonly detail: string;
  readonly at: number;
}

const MAX_EVENTS = 10_000;
const events: TraceEvent[] = [];
const enabled = readFlag();

export function auditEnabled(): boolean {
  return enabled;
}

export function trace(step: string, detail: string | number = ''): void {
  if (!enabled || events.length >= MAX_EVENTS) return;
  events.push({ step, detail: String(detail), at: performance.timeOrigin + performance.now() });
}

export function traceEvents(): readonly TraceEvent[] {
  return events;
}

function readFlag(): boolean {
  try {
    return localStorage.getItem(AUDIT_FLAG) === '1';
  } catch {
    return false;
  }
}
