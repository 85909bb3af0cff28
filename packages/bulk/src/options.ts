import type { Duration, Quota } from "@sluice/core";
import type { BackoffOptions } from "@sluice/core/adapter";
import type { Json } from "./json.js";

/** One page of a paginated task: what it holds and where the next one starts. */
export interface Page<R> {
  /** What the page holds; written as the line's `result`. Must be JSON-serializable. */
  readonly result: R;
  /**
   * The position that fetches the NEXT page (any JSON value, e.g. hikerapi's `next_page_id`),
   * saved in the page's line so that a resumed run starts from it. `null` when this is the
   * last page: its line then also finishes the item, and the task is not asked for more.
   */
  readonly cursor: Json;
}

/** What a task call knows about its item and the run. */
export interface TaskContext {
  /** The item's key. */
  readonly key: string;
  /** 1 on the first try of the current call or page, 2 on its first retry, and so on. */
  readonly attempt: number;
  /** Index of the next page the task will produce: 0 on a fresh start, else the pages already written. */
  readonly page: number;
  /**
   * The `cursor` of the last page written for this item, `undefined` when none was. A
   * paginated task starts fetching from here, so finished pages are never fetched again.
   */
  readonly cursor: Json | undefined;
  /** Aborted when in-flight work must stop now: `drain` ran out after a stop, or a second signal. */
  readonly signal: AbortSignal;
  /**
   * Spends `cost` units of the run's `quota` (waits for the slot). For requests beyond the one
   * `acquire: "auto"` takes, or for all of them with `acquire: "manual"`. Resolves at once
   * without a quota. Rejects when the run stops while waiting (the reservation is given back).
   * @default cost the run's `cost`
   */
  acquire(cost?: number): Promise<void>;
}

/**
 * Work for one input. Either returns (or resolves to) one result, written as one line, or
 * returns an async iterable of pages (an `async function*`), each written as one line
 * before the next is asked for.
 */
export type BulkTask<I, R> = (input: I, context: TaskContext) => R | Promise<R> | AsyncIterable<Page<R>>;

export interface BulkOptions<I, R> {
  /** The inputs, read lazily: an array, any iterable, or an async iterable (never materialized). */
  readonly inputs: Iterable<I> | AsyncIterable<I>;
  /**
   * A stable, unique id for an input, the same in every run (e.g. the user id). Finished keys
   * are skipped on resume; an input whose key was already taken in this run is a duplicate and
   * skipped. A non-string or empty key stops the run with a `TypeError`.
   */
  readonly key: (input: I) => string;
  /** The work for one input; see `BulkTask`. */
  readonly task: BulkTask<I, R>;
  /**
   * Path of the results NDJSON file. It is also the checkpoint: a run reads it back first, so
   * run again with the same path to resume. Created (with its directory) if missing.
   * @example "out/followers.ndjson"
   */
  readonly output: string;
  /**
   * Path of the failures NDJSON file: one line per item that failed after its retries, with the
   * reason (`{"key","reason","error","code"?,"status"?,"page","attempts","at"}`). Created
   * (with its directory) on the first failure: a run where nothing failed leaves none.
   * @default output with `.ndjson` (or its extension) replaced by `.failures.ndjson`
   */
  readonly failures?: string;
  /**
   * The shared quota every request spends. With `acquire: "auto"` the runner takes `cost`
   * units before each task call and before each page request, so a task needs no rate-limit
   * code. Its limits also give the ETA. Without a quota the task limits itself (for example
   * through a rate-limited fetch).
   */
  readonly quota?: Quota;
  /** Units of `quota` per request. Integer >= 1. @default 1 */
  readonly cost?: number;
  /**
   * `"auto"`: the runner acquires before each task call and each page. `"manual"`: only the
   * task's `context.acquire()` calls spend the quota.
   * @default "auto"
   */
  readonly acquire?: "auto" | "manual";
  /** Items in flight at once (each at most one request at a time). 1 to 10000. @default 8 */
  readonly concurrency?: number;
  /**
   * Retries of a task call or page after a thrown error, counted afresh after each page
   * written; after the last, the item goes to the failures file. The same option as
   * `@sluice/fetch`'s `retry`: `limit` retries (0 to 100), retry n (from 0) waiting a random
   * time in [0, min(maxDelay, baseDelay × 2ⁿ)) ("full jitter"); durations in ms or a string. An
   * error carrying a numeric `retryAfterMs` (as `QuotaExceededError` does) waits at least that,
   * even past `maxDelay`. `false` for none.
   * @default { limit: 3, baseDelay: "1s", maxDelay: "30s" }
   * @example { limit: 5, baseDelay: "500ms" }
   */
  readonly retry?: BackoffOptions | false;
  /** Which errors are worth a retry; the others fail the item at once. @default every error */
  readonly retryable?: (error: unknown) => boolean;
  /** Items recorded in the failures file by an earlier run are run again. @default false */
  readonly retryFailed?: boolean;
  /**
   * Stops the run: no new item starts, waits for quota slots end (giving the slot back),
   * requests in flight get `drain` ms to finish and be written, then `context.signal` aborts.
   * The run resolves with `interrupted: true`; run again to resume.
   */
  readonly signal?: AbortSignal;
  /** How long in-flight requests may take to finish after a stop. Ms or a string, >= 0. @default "10s" */
  readonly drain?: Duration;
  /**
   * Stop on SIGINT and SIGTERM (a second signal aborts in-flight requests at once), and say on
   * stderr how to resume. For CLIs only: a library should not take over a process's signals.
   * The handlers are removed when the run ends; the caller decides the exit code.
   * @default false
   */
  readonly handleSignals?: boolean;
  /** A progress bar on stderr; `"auto"` shows it only when stderr is a TTY. @default "auto" */
  readonly progress?: boolean | "auto";
  /** Number of inputs, for the bar and the ETA when `inputs` is not an array. */
  readonly total?: number;
  /**
   * Time between `fdatasync` calls on the output (and at the end). Lines are in the file before
   * the next request either way; syncing only matters for a machine crash. Ms or a string, >= 0.
   * @default "1s"
   */
  readonly syncInterval?: Duration;
}

/** What a run did. Counts are of inputs (items), except `pages` and `requests`. */
export interface BulkSummary {
  /** Items this run finished (terminal line written). */
  readonly done: number;
  /** Items skipped because an earlier run had finished them. */
  readonly skipped: number;
  /** Items this run recorded in the failures file. */
  readonly failed: number;
  /** Items skipped because an earlier run recorded them as failed (see `retryFailed`). */
  readonly skippedFailed: number;
  /** Inputs whose key an earlier input of this run already had. */
  readonly duplicates: number;
  /** Page lines this run wrote. */
  readonly pages: number;
  /** Quota acquires this run made (automatic and `context.acquire`). */
  readonly requests: number;
  /** Retries this run made. */
  readonly retries: number;
  /** The run was stopped (signal) before every input was handled: run again to resume. */
  readonly interrupted: boolean;
  /** Bytes of unfinished lines cut from the end of the files of an earlier, killed run. */
  readonly repairedBytes: number;
  readonly elapsedMs: number;
  readonly output: string;
  /** The failures file's path; the file exists only once some run recorded a failure. */
  readonly failures: string;
}
