import type { Store } from "./store.js";

/**
 * Wakes a waiter when a lease on any of the given concurrency keys is released, so a full
 * semaphore is waited on without polling. Releases between two waits are not lost.
 */
export class ReleaseSignal {
  #releases = 0;
  #seen = 0;
  #wake: (() => void) | undefined;
  readonly #stops: Array<() => void>;

  private constructor(stops: Array<() => void>) {
    this.#stops = stops;
  }

  /** Resolves once listening on every key. */
  static async listen(store: Store, keys: readonly string[]): Promise<ReleaseSignal> {
    const stops: Array<() => void> = [];
    const signal = new ReleaseSignal(stops);
    const onRelease = () => {
      signal.#releases++;
      signal.#wake?.();
    };
    try {
      for (const key of keys) stops.push(await store.onRelease(key, onRelease));
    } catch (error) {
      signal.close();
      throw error;
    }
    return signal;
  }

  /** Resolves on the next release (or one missed since the last call) or after `ms`. */
  next(ms: number, abort?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        abort?.removeEventListener("abort", onAbort);
        this.#wake = undefined;
        this.#seen = this.#releases;
        resolve();
      };
      const onAbort = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        reject(abort?.reason);
      };
      if (abort?.aborted) return reject(abort.reason);
      const timer = setTimeout(done, ms);
      abort?.addEventListener("abort", onAbort, { once: true });
      if (this.#releases !== this.#seen) return done();
      this.#wake = done;
    });
  }

  close(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }
}
