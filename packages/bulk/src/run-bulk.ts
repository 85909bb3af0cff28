import { setMaxListeners } from "node:events";
import { extname } from "node:path";
import type { Grant, Quota } from "@sluice/core";
import { invalid, sleep } from "@sluice/core/adapter";
import { readCheckpoint } from "./checkpoint.js";
import { OutputWriteError } from "./errors/output-write-error.js";
import { etaSeconds } from "./eta.js";
import type { Json } from "./json.js";
import { LineWriter } from "./line-writer.js";
import { endLine, failureLine, pageLine, resultLine, UnwritableResultError } from "./lines.js";
import type { BulkOptions, BulkSummary, Page, TaskContext } from "./options.js";
import { ProgressBar } from "./progress-bar.js";
import { quotaRate } from "./quota-rate.js";
import { takeRunLock } from "./run-lock.js";

const defaults = {
  cost: 1,
  acquire: "auto",
  concurrency: 8,
  retries: 3,
  retryDelay: 1000,
  retryFailed: false,
  drain: 10_000,
  handleSignals: false,
  progress: "auto",
  syncInterval: 1000,
} as const;

const MAX_RETRY_DELAY_MS = 30_000;
const PROGRESS_EVERY_MS = 200;
/** Observed rates are trusted for the ETA only after this long. */
const WARM_UP_MS = 3000;

/** `results.ndjson` → `results.failures.ndjson`. */
export function defaultFailuresPath(output: string): string {
  const ext = extname(output);
  return ext === "" ? `${output}.failures.ndjson` : `${output.slice(0, -ext.length)}.failures${ext}`;
}

function check(name: string, ok: boolean, expected: string, value: unknown): void {
  if (!ok) invalid(name, expected, value);
}

const isInt = (value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
const isMs = (value: unknown): boolean => typeof value === "number" && Number.isFinite(value) && value >= 0;

function validate<I, R>(o: BulkOptions<I, R>): void {
  if (typeof o !== "object" || o === null) invalid("options", "an options object", o);
  const inputs = o.inputs as unknown as Record<symbol, unknown> | undefined;
  check(
    "inputs",
    typeof inputs?.[Symbol.iterator] === "function" || typeof inputs?.[Symbol.asyncIterator] === "function",
    "an iterable or async iterable",
    o.inputs,
  );
  check("key", typeof o.key === "function", "a function from input to string", o.key);
  check("task", typeof o.task === "function", "a function", o.task);
  check("output", typeof o.output === "string" && o.output !== "", "a non-empty path", o.output);
  if (o.failures !== undefined)
    check("failures", typeof o.failures === "string" && o.failures !== "", "a non-empty path", o.failures);
  if (o.failures !== undefined && o.failures === o.output)
    invalid("failures", "a path other than `output`", o.failures);
  if (o.quota !== undefined) check("quota", typeof o.quota?.acquire === "function", "a Quota", o.quota);
  if (o.cost !== undefined) check("cost", isInt(o.cost, 1), "an integer >= 1", o.cost);
  if (o.acquire !== undefined)
    check("acquire", o.acquire === "auto" || o.acquire === "manual", '"auto" or "manual"', o.acquire);
  if (o.concurrency !== undefined)
    check("concurrency", isInt(o.concurrency, 1, 10_000), "an integer from 1 to 10000", o.concurrency);
  if (o.retries !== undefined) check("retries", isInt(o.retries, 0), "an integer >= 0", o.retries);
  if (o.retryDelay !== undefined)
    check("retryDelay", isMs(o.retryDelay), "a finite number of milliseconds >= 0", o.retryDelay);
  if (o.retryable !== undefined) check("retryable", typeof o.retryable === "function", "a function", o.retryable);
  if (o.retryFailed !== undefined) check("retryFailed", typeof o.retryFailed === "boolean", "a boolean", o.retryFailed);
  if (o.signal !== undefined) check("signal", o.signal instanceof AbortSignal, "an AbortSignal", o.signal);
  if (o.drain !== undefined) check("drain", isMs(o.drain), "a finite number of milliseconds >= 0", o.drain);
  if (o.handleSignals !== undefined)
    check("handleSignals", typeof o.handleSignals === "boolean", "a boolean", o.handleSignals);
  if (o.progress !== undefined)
    check("progress", typeof o.progress === "boolean" || o.progress === "auto", 'a boolean or "auto"', o.progress);
  if (o.total !== undefined) check("total", isInt(o.total, 0), "an integer >= 0", o.total);
  if (o.syncInterval !== undefined)
    check("syncInterval", isMs(o.syncInterval), "a finite number of milliseconds >= 0", o.syncInterval);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === "function"
  );
}

function iteratorOf<I>(inputs: Iterable<I> | AsyncIterable<I>): AsyncIterator<I> {
  if (isAsyncIterable(inputs)) return (inputs as AsyncIterable<I>)[Symbol.asyncIterator]();
  const sync = (inputs as Iterable<I>)[Symbol.iterator]();
  return {
    next: async () => sync.next(),
    return: async () => sync.return?.() ?? { done: true, value: undefined },
  };
}

function checkPage(key: string, value: unknown): Page<unknown> {
  const page = value as Partial<Page<unknown>> | null;
  if (typeof page !== "object" || page === null || !("result" in page) || page.cursor === undefined) {
    throw new UnwritableResultError(
      `Expected each page of "${key}" to be { result, cursor } with cursor the next page's position or null for the last, got ${JSON.stringify(value)?.slice(0, 200)}`,
    );
  }
  return page as Page<unknown>;
}

function retryDelayOf(base: number, attempt: number, error: unknown): number {
  const backoff = Math.min(base * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
  const jittered = backoff / 2 + (Math.random() * backoff) / 2;
  const after = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof after === "number" && Number.isFinite(after) ? Math.max(jittered, after) : jittered;
}

interface Item<I> {
  readonly input: I;
  readonly key: string;
  readonly resume: { readonly page: number; readonly cursor: Json } | undefined;
}

/**
 * Runs `task` over every input through a shared quota, writing each result as one NDJSON line
 * as it arrives, and resumes exactly where a killed run stopped.
 *
 * **The output is the checkpoint.** Every line starts with the item's `key`; a paginated item
 * writes one line per page (`page` index, `cursor` of the next page) and is finished only by a
 * line with `"done": true` (its last page, or an end line `{"key","done":true,"pages"}`). A
 * single-result item is one line, `{"key","done":true,"result"}`. Each line goes to the file in
 * one `write` call ending in `\n`, appended by this process alone (a `<output>.lock` with the
 * pid keeps a second live process out). On start the run reads the file back, cuts a last line
 * without its `\n`, and skips finished keys; an unfinished paginated item restarts its task
 * with `context.page` and `context.cursor` from its last page line.
 *
 * **Why each line is written exactly once, even across SIGKILL.** A page line is written
 * before the task is asked for the next page, and a line counts only once complete. If the
 * process dies, every complete line is in the file (the OS keeps what `write` returned, dead
 * process or not), and the resumed run continues after the last of them. The only work
 * done twice is a page that was fetched but whose line was not complete at the kill: it is
 * fetched again, and written once, because its earlier copy never reached the file. So the
 * quota spent again after a kill is at most one request per item in flight (`concurrency`);
 * a machine crash can also lose lines written after the last `fdatasync` (`syncInterval`),
 * which are then fetched again, still never duplicated.
 *
 * **Memory stays flat.** Inputs are pulled one at a time, at most `concurrency` items are in
 * flight, results go to the file and are dropped. What grows is one Set entry per distinct key
 * seen (to skip finished keys and duplicates): about 50 B plus the key's length (measured
 * ~60 B per 6-digit key, 6 MB per 100,000).
 *
 * **Stopping.** `signal` (or SIGINT/SIGTERM with `handleSignals`) stops the run cleanly: no
 * new item starts, quota waits give their slot back, a paginated item stops after its current
 * page is written, in-flight requests get `drain` ms, files are flushed and synced, and the
 * promise resolves with `interrupted: true`. Items stopped midway are not failures.
 *
 * @example
 * const summary = await runBulk({
 *   inputs: userIds,
 *   key: (id) => id,
 *   quota: limiter.quota("hikerapi", { limits: [tokenBucket({ rate: 11 })] }),
 *   output: "followers.ndjson",
 *   task: async function* (id, { cursor, signal }) {
 *     let pageId = cursor ?? "";
 *     for (;;) {
 *       const res = await (await fetch(`${api}/v2/user/followers?user_id=${id}&page_id=${pageId}`, { signal })).json();
 *       pageId = res.next_page_id || null;
 *       yield { result: res.response.users, cursor: pageId }; // null: the last page
 *       if (pageId === null) return;
 *     }
 *   },
 * });
 * @throws TypeError for a bad option or a bad key, `RunLockedError`, `CorruptOutputError`,
 * `OutputWriteError`, or what the `inputs` iterator throws (lines written so far stay valid).
 */
export async function runBulk<I, R>(options: BulkOptions<I, R>): Promise<BulkSummary> {
  validate(options);
  // An option given as `undefined` (possible from JavaScript) takes its default.
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const o = { ...defaults, ...(given as BulkOptions<I, R>) };
  const output = o.output;
  const failures = o.failures ?? defaultFailuresPath(output);
  const quota: Quota | undefined = o.quota;
  const auto = quota !== undefined && o.acquire === "auto";
  const started = performance.now();

  const unlock = await takeRunLock(output);
  let out: LineWriter | undefined;
  let fails: LineWriter | undefined;
  try {
    const checkpoint = await readCheckpoint(output, failures);
    out = await LineWriter.open(output, o.syncInterval);
    fails = await LineWriter.open(failures, o.syncInterval);
    const outWriter = out;
    const failWriter = fails;

    const before = checkpoint.finished;
    const failedBefore = checkpoint.failed;
    const partial = checkpoint.partial;
    const taken = new Set<string>();
    const n = {
      done: 0,
      skipped: 0,
      failed: 0,
      skippedFailed: 0,
      duplicates: 0,
      pages: 0,
      requests: 0,
      settledUnits: 0,
      retries: 0,
      active: 0,
      stopped: 0,
    };
    let firstStart: number | undefined;

    const soft = new AbortController();
    const hard = new AbortController();
    // Up to `concurrency` waits listen on `soft` at once, and one item signal each on `hard`.
    setMaxListeners(0, soft.signal, hard.signal);
    let drainTimer: NodeJS.Timeout | undefined;
    let fatal: { error: unknown } | undefined;
    const stop = (reason: unknown): void => {
      if (soft.signal.aborted) return;
      soft.abort(reason);
      if (o.drain === 0) hard.abort(reason);
      else drainTimer = setTimeout(() => hard.abort(reason), o.drain);
    };
    const onAbort = (): void => stop(o.signal?.reason);
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener("abort", onAbort, { once: true });

    const onSignal = (signal: NodeJS.Signals): void => {
      if (soft.signal.aborted) {
        process.stderr.write(`\n${signal} again: aborting ${n.active} in-flight item(s).\n`);
        hard.abort(new Error(`Stopped by ${signal}`));
        return;
      }
      process.stderr.write(
        `\n${signal}: finishing ${n.active} in-flight item(s) (at most ${Math.ceil(o.drain / 1000)} s); send it again to abort them.\n`,
      );
      stop(new Error(`Stopped by ${signal}`));
    };
    if (o.handleSignals) {
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
    }

    const total = o.total ?? (Array.isArray(o.inputs) ? o.inputs.length : undefined);
    const showProgress = o.progress === "auto" ? process.stderr.isTTY === true : o.progress;
    const rateOfQuota = quota === undefined ? undefined : quotaRate(quota.rules);
    const bar = showProgress ? new ProgressBar(total) : undefined;
    const refresh = (): void => {
      const settled = n.done + n.failed;
      const value = settled + n.skipped + n.skippedFailed + n.duplicates;
      const ranMs = firstStart === undefined ? 0 : performance.now() - firstStart;
      const observed = ranMs > 0 && settled > 0 ? (settled * 1000) / ranMs : undefined;
      bar?.update({
        value,
        total,
        failed: n.failed,
        rate: observed,
        etaSeconds: etaSeconds({
          remaining: total === undefined ? undefined : Math.max(total - value, 0),
          quotaRate: rateOfQuota,
          unitsPerItem: settled > 0 && n.settledUnits > 0 ? n.settledUnits / settled : o.cost,
          observedRate: ranMs >= WARM_UP_MS ? observed : undefined,
        }),
      });
    };
    const ticker = bar ? setInterval(refresh, PROGRESS_EVERY_MS) : undefined;

    const iterator = iteratorOf(o.inputs);
    let exhausted = false;
    let pulling: Promise<unknown> = Promise.resolve();

    const pullOne = async (): Promise<Item<I> | undefined> => {
      let passed = 0;
      for (;;) {
        if (exhausted || soft.signal.aborted) return undefined;
        const step = await iterator.next();
        if (step.done) {
          exhausted = true;
          return undefined;
        }
        const key = o.key(step.value);
        if (typeof key !== "string" || key === "") invalid("key(input)", "a non-empty string", key);
        if (before.has(key)) n.skipped++;
        else if (taken.has(key)) n.duplicates++;
        else if (!o.retryFailed && failedBefore.has(key)) n.skippedFailed++;
        else {
          taken.add(key);
          const resume = partial.get(key);
          partial.delete(key);
          return { input: step.value, key, resume };
        }
        // Skipping a long finished prefix must not starve timers and signal handlers.
        if (++passed % 1024 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const nextItem = (): Promise<Item<I> | undefined> => {
      const next = pulling.then(pullOne);
      pulling = next.catch(() => {});
      return next;
    };

    const runItem = async (item: Item<I>): Promise<void> => {
      const units = { spent: 0 };
      try {
        await attemptItem(item, units);
      } finally {
        n.settledUnits += units.spent;
      }
    };

    const attemptItem = async ({ input, key, resume }: Item<I>, units: { spent: number }): Promise<void> => {
      let page = resume?.page ?? 0;
      let cursor: Json | undefined = resume?.cursor;
      for (let attempt = 1; ; ) {
        const grants: Grant[] = [];
        const acquire = async (cost: number = o.cost): Promise<void> => {
          if (quota === undefined) return;
          grants.push(await quota.acquire({ cost, signal: soft.signal }));
          n.requests++;
          units.spent += cost;
        };
        const releaseAll = async (): Promise<void> => {
          if (quota === undefined || grants.length === 0) return;
          await Promise.all(grants.splice(0).map((grant) => quota.release(grant))).catch(() => {});
        };
        let pages: AsyncIterator<unknown> | undefined;
        // A signal per task call, not the run's: fetch in Node 20 leaves its abort listener on
        // the signal it was given until GC, and thousands on one signal slow every request.
        const call = new AbortController();
        setMaxListeners(0, call.signal);
        const abortCall = (): void => call.abort(hard.signal.reason);
        if (hard.signal.aborted) abortCall();
        else hard.signal.addEventListener("abort", abortCall, { once: true });
        try {
          if (auto) await acquire();
          const context: TaskContext = { key, attempt, page, cursor, signal: call.signal, acquire };
          const returned = o.task(input, context);
          if (!isAsyncIterable(returned)) {
            const result = await returned;
            await releaseAll();
            await outWriter.append(resultLine(key, result));
            n.done++;
            return;
          }
          pages = returned[Symbol.asyncIterator]();
          for (;;) {
            const step = await pages.next();
            await releaseAll();
            if (step.done) {
              await outWriter.append(endLine(key, page));
              n.done++;
              return;
            }
            const { result, cursor: next } = checkPage(key, step.value);
            await outWriter.append(pageLine(key, page, next, result));
            n.pages++;
            page++;
            cursor = next;
            attempt = 1;
            if (next === null) {
              n.done++;
              return;
            }
            if (soft.signal.aborted) {
              n.stopped++;
              return;
            }
            if (auto) await acquire();
          }
        } catch (error) {
          await releaseAll();
          if (error instanceof OutputWriteError) throw error;
          if (soft.signal.aborted) {
            n.stopped++;
            return;
          }
          if (error instanceof UnwritableResultError || attempt > o.retries || !(o.retryable?.(error) ?? true)) {
            await failWriter.append(failureLine(key, page, attempt, error));
            n.failed++;
            return;
          }
          try {
            await sleep(retryDelayOf(o.retryDelay, attempt, error), soft.signal);
          } catch {
            n.stopped++;
            return;
          }
          n.retries++;
          attempt++;
        } finally {
          hard.signal.removeEventListener("abort", abortCall);
          // Closes a generator left suspended (stop, last page, failure); a no-op once it ended.
          await pages?.return?.()?.catch?.(() => {});
        }
      }
    };

    const worker = async (): Promise<void> => {
      try {
        for (;;) {
          const item = await nextItem();
          if (item === undefined) return;
          firstStart ??= performance.now();
          n.active++;
          try {
            await runItem(item);
          } finally {
            n.active--;
          }
        }
      } catch (error) {
        fatal ??= { error };
        stop(error);
      }
    };

    try {
      await Promise.all(Array.from({ length: o.concurrency }, worker));
      if (!exhausted) await iterator.return?.()?.catch?.(() => {});
    } finally {
      clearTimeout(drainTimer);
      if (ticker) clearInterval(ticker);
      refresh();
      bar?.stop();
      o.signal?.removeEventListener("abort", onAbort);
      if (o.handleSignals) {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    }
    await Promise.all([out.close(), fails.close()]);
    out = undefined;
    fails = undefined;
    if (fatal) throw fatal.error;

    const summary: BulkSummary = {
      done: n.done,
      skipped: n.skipped,
      failed: n.failed,
      skippedFailed: n.skippedFailed,
      duplicates: n.duplicates,
      pages: n.pages,
      requests: n.requests,
      retries: n.retries,
      interrupted: soft.signal.aborted && (!exhausted || n.stopped > 0),
      repairedBytes: checkpoint.truncatedBytes,
      elapsedMs: performance.now() - started,
      output,
      failures,
    };
    if (o.handleSignals && summary.interrupted) {
      process.stderr.write(
        `Stopped: ${n.done} item(s) finished in this run, ${n.done + n.skipped} in all. Run the same command again to resume from ${output}.\n`,
      );
    }
    return summary;
  } finally {
    await Promise.all([out?.close().catch(() => {}), fails?.close().catch(() => {})]);
    await unlock();
  }
}
