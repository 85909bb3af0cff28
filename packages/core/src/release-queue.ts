import { onAbort } from "./on-abort.js";
import type { Store } from "./store.js";

interface Waiter {
  readonly wake: () => void;
}

/**
 * The waiters of one quota for a free concurrency slot, in order. One subscription serves
 * them all, and each release wakes ONE waiter (the longest waiting), so N waiters cost N store
 * calls per N releases, not N per release. A release that finds no one waiting is kept as a
 * permit for the next waiter, so none is missed between a denial and the wait.
 */
export class ReleaseQueue {
  readonly #waiters: Waiter[] = [];
  readonly #stops: Array<() => void> = [];
  #permits = 0;

  /** Resolves once listening on every key (on none when the store cannot tell of releases). */
  static async open(store: Store, keys: readonly string[]): Promise<ReleaseQueue> {
    const queue = new ReleaseQueue();
    try {
      for (const key of keys) {
        const stop = await store.onRelease?.(key, () => queue.#onRelease());
        if (stop !== undefined) queue.#stops.push(stop);
      }
    } catch (error) {
      queue.close();
      throw error;
    }
    return queue;
  }

  #onRelease(): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) this.#permits++;
    else waiter.wake();
  }

  /**
   * Resolves on a release meant for this waiter, or after `ms` (the earliest lease expiry, or
   * the caller's deadline). A waiter coming back after losing a race waits `first` in line.
   */
  wait(ms: number, abort: AbortSignal | undefined, first: boolean): Promise<"released" | "timeout"> {
    return new Promise((resolve, reject) => {
      if (abort?.aborted) return reject(abort.reason);
      if (this.#permits > 0) {
        this.#permits--;
        return resolve("released");
      }
      const leave = () => {
        clearTimeout(timer);
        stopListening();
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
      };
      const stopListening =
        abort === undefined
          ? () => {}
          : onAbort(abort, () => {
              leave();
              reject(abort.reason);
            });
      const waiter: Waiter = {
        wake: () => {
          leave();
          resolve("released");
        },
      };
      const timer = setTimeout(() => {
        leave();
        resolve("timeout");
      }, ms);
      if (first) this.#waiters.unshift(waiter);
      else this.#waiters.push(waiter);
    });
  }

  close(): void {
    for (const stop of this.#stops.splice(0)) stop();
    this.#permits = 0;
  }
}
