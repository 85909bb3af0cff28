/** A call still waited for: rejected at `at` (`performance.now()`) unless it settled first. */
interface Pending {
  readonly at: number;
  readonly reject: (error: Error) => void;
  settled: boolean;
}

/**
 * Bounds every call to one timeout with one timer for all of them, not a timer and a race per
 * call (a store call is made per decision). Calls are pending in the order they started, which
 * is the order of their deadlines; the timer is armed for the oldest, and none is left once
 * nothing is pending, so an idle process may exit.
 */
export class CallTimeouts {
  readonly #ms: number;
  readonly #timedOut: () => Error;
  #pending: Pending[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param timedOut the error a call that outlives `ms` is rejected with, made when it does. */
  constructor(ms: number, timedOut: () => Error) {
    this.#ms = ms;
    this.#timedOut = timedOut;
  }

  /** The call's answer, or the timeout's error once `ms` passed without one. */
  bound<T>(call: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { at: performance.now() + this.#ms, reject, settled: false };
      this.#pending.push(pending);
      this.#timer ??= setTimeout(this.#expire, this.#ms);
      call.then(
        (value) => {
          this.#settle(pending);
          resolve(value);
        },
        (error: unknown) => {
          this.#settle(pending);
          reject(error);
        },
      );
    });
  }

  #settle(pending: Pending): void {
    pending.settled = true;
    this.#dropSettled();
  }

  /** Drops settled calls from the front; stops the timer when nothing is pending. */
  #dropSettled(): void {
    while (this.#head < this.#pending.length && (this.#pending[this.#head] as Pending).settled) this.#head++;
    if (this.#head === this.#pending.length) {
      this.#pending = [];
      this.#head = 0;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
  }

  readonly #expire = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    for (let i = this.#head; i < this.#pending.length; i++) {
      const pending = this.#pending[i] as Pending;
      if (pending.at > now) break;
      if (!pending.settled) {
        pending.settled = true;
        pending.reject(this.#timedOut());
      }
    }
    this.#dropSettled();
    const oldest = this.#pending[this.#head];
    if (oldest !== undefined) this.#timer = setTimeout(this.#expire, Math.max(1, oldest.at - now));
  };
}
