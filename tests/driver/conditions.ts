// Promise helpers for the driver: wait until a predicate over a member's state holds. Every wait
// has a timeout, and every wait fails at once when the state can no longer change (the socket
// closed), with a message that names the member, what it waited for, and what it holds instead.
import { DriverError } from './errors';

interface Waiter {
  readonly test: () => boolean;
  readonly what: string;
  readonly resolve: () => void;
  readonly reject: (error: DriverError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class Conditions {
  private readonly waiters = new Set<Waiter>();
  private ended: string | null = null;

  /** `label` names the member in messages; `describe` says what it holds now. */
  constructor(
    private readonly label: string,
    private readonly describe: () => string,
  ) {}

  /** Resolves once `test()` holds; rejects after `timeoutMs`, or when end() is called first. */
  until(test: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (test()) return Promise.resolve();
    if (this.ended !== null) return Promise.reject(this.closedError(what, this.ended));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new DriverError('timeout', `${this.label}: no ${what} within ${timeoutMs} ms (${this.describe()})`));
      }, timeoutMs);
      const waiter: Waiter = { test, what, resolve, reject, timer };
      this.waiters.add(waiter);
    });
  }

  /** Re-evaluate every pending wait; call after each change of state. */
  check(): void {
    for (const w of [...this.waiters]) {
      if (!w.test()) continue;
      this.settle(w);
      w.resolve();
    }
  }

  /** Nothing will change any more: settle what holds, fail the rest and every later wait. */
  end(why: string): void {
    this.check();
    this.ended ??= why;
    for (const w of [...this.waiters]) {
      this.settle(w);
      w.reject(this.closedError(w.what, why));
    }
  }

  private settle(w: Waiter): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
  }

  private closedError(what: string, why: string): DriverError {
    return new DriverError('closed', `${this.label}: ${why} while waiting for ${what} (${this.describe()})`);
  }
}
