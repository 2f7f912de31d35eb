// LiveKit grants asked of the signaling server (`token`), which hands them out only to admitted
// members and only for a few minutes. Concurrent requests share one `token` message; a request
// still waiting when the socket comes back is asked again; each gives up after a timeout.
import { type LiveKitGrant } from '../../../protocol/protocol';

const GRANT_TIMEOUT_MS = 10_000;

interface Waiter {
  resolve(grant: LiveKitGrant): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class GrantRequests {
  readonly #ask: () => void;
  #waiters: Waiter[] = [];

  /** `ask` sends one `token` message (it may do nothing while the socket is down). */
  constructor(ask: () => void) {
    this.#ask = ask;
  }

  request(): Promise<LiveKitGrant> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(new Error('no token from the server'));
        }, GRANT_TIMEOUT_MS),
      };
      this.#waiters.push(waiter);
      if (this.#waiters.length === 1) this.#ask();
    });
  }

  /** A new socket: ask again for whoever is still waiting. */
  reconnected(): void {
    if (this.#waiters.length > 0) this.#ask();
  }

  /** The server's answer (a grant, or an error naming `token`) settles every waiter. */
  settle(outcome: LiveKitGrant | Error): void {
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      if (outcome instanceof Error) waiter.reject(outcome);
      else waiter.resolve(outcome);
    }
  }
}
