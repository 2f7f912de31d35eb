// Polling with a deadline: the only way e2e tests wait. A timeout reports what was awaited and the last value seen.

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Calls `probe` until `accept` holds for its result, and returns that result; throws WaitTimeout at the deadline. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 250 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (accept(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const seen =
        last === undefined ? 'nothing' : 'value' in last ? describeValue(last.value) : `error: ${String(last.error)}`;
      throw new WaitTimeout(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await sleep(intervalMs);
  }
}
