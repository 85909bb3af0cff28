import { invalid } from "@sluice/core/adapter";
import type { Checkpoint, ResumePoint } from "./checkpoint.js";
import { iteratorOf } from "./iterables.js";

/** An input to run, and where its paginated task resumes (`undefined`: from the start). */
export interface Item<I> {
  readonly input: I;
  readonly key: string;
  readonly resume: ResumePoint | undefined;
}

/**
 * Why an input is not run: finished by an earlier run, a key this run already took, or
 * failed in an earlier run (without `retryFailed`).
 */
export type SkipReason = "skipped" | "duplicates" | "skippedFailed";

/** Where the feed starts from, and what it reports. */
export interface FeedOptions<I> {
  readonly key: (input: I) => string;
  readonly checkpoint: Pick<Checkpoint, "finished" | "failed" | "partial">;
  /** Run again the items an earlier run recorded as failed. */
  readonly retryFailed: boolean;
  /** Once aborted, no item is handed out. */
  readonly stop: AbortSignal;
  readonly onSkip: (reason: SkipReason) => void;
}

/**
 * Hands out the inputs to run, one at a time to whichever worker asks, pulled lazily from the
 * iterator: finished, failed and duplicate keys are skipped (and reported), an unfinished
 * paginated item comes with its resume point. Memory: one Set entry per key taken.
 */
export class InputFeed<I> {
  readonly #iterator: AsyncIterator<I>;
  readonly #options: FeedOptions<I>;
  readonly #taken = new Set<string>();
  #exhausted = false;
  #pulling: Promise<unknown> = Promise.resolve();

  constructor(inputs: Iterable<I> | AsyncIterable<I>, options: FeedOptions<I>) {
    this.#iterator = iteratorOf(inputs);
    this.#options = options;
  }

  /** Whether every input was read. */
  get exhausted(): boolean {
    return this.#exhausted;
  }

  /** The next item to run, `undefined` once the inputs are exhausted or the run stops. */
  next(): Promise<Item<I> | undefined> {
    // Workers ask concurrently; an iterator takes one `next` at a time.
    const next = this.#pulling.then(() => this.#pull());
    this.#pulling = next.catch(() => {});
    return next;
  }

  /** Closes the iterator when it was left before its end (the run stopped or failed). */
  async close(): Promise<void> {
    if (!this.#exhausted) await this.#iterator.return?.()?.catch?.(() => {});
  }

  async #pull(): Promise<Item<I> | undefined> {
    const { key: keyOf, checkpoint, retryFailed, stop, onSkip } = this.#options;
    for (let passed = 1; ; passed++) {
      if (this.#exhausted || stop.aborted) return undefined;
      const step = await this.#iterator.next();
      if (step.done) {
        this.#exhausted = true;
        return undefined;
      }
      const key = keyOf(step.value);
      if (typeof key !== "string" || key === "") invalid("key(input)", "a non-empty string", key);
      if (checkpoint.finished.has(key)) onSkip("skipped");
      else if (this.#taken.has(key)) onSkip("duplicates");
      else if (!retryFailed && checkpoint.failed.has(key)) onSkip("skippedFailed");
      else {
        this.#taken.add(key);
        const resume = checkpoint.partial.get(key);
        checkpoint.partial.delete(key);
        return { input: step.value, key, resume };
      }
      // Skipping a long finished prefix must not starve timers and signal handlers.
      if (passed % 1024 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
