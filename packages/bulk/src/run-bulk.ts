import { type Checkpoint, readCheckpoint } from "./checkpoint.js";
import { InputFeed } from "./input-feed.js";
import { type ItemContext, runItem } from "./item-runner.js";
import { LineWriter } from "./line-writer.js";
import type { BulkOptions, BulkSummary } from "./options.js";
import { showProgress } from "./progress.js";
import { quotaRate } from "./quota-rate.js";
import { type ResolvedBulkOptions, resolveBulkOptions } from "./resolve-options.js";
import { takeRunLock } from "./run-lock.js";
import { StopController } from "./stop-controller.js";
import { resumeHint, summarize } from "./summary.js";
import { type ItemOutcome, type RunCounts, Tally } from "./tally.js";

/** How the items' run ended. */
interface Ran {
  readonly counts: RunCounts;
  /** The first error that ended the run, rethrown once the files are closed. */
  readonly fatal: { readonly error: unknown } | undefined;
  readonly stopping: boolean;
  readonly exhausted: boolean;
}

/**
 * Runs the items with `concurrency` workers, each taking the next item from the feed when done
 * with one, until the inputs end, the run stops, or an error ends it.
 */
async function runItems<I, R>(
  o: ResolvedBulkOptions<I, R>,
  checkpoint: Checkpoint,
  output: LineWriter,
  failures: LineWriter,
): Promise<Ran> {
  const { signal, drainMs, handleSignals, quota } = o;
  const tally = new Tally(quota?.name);
  const stop = new StopController({ signal, drainMs, handleSignals, inFlight: () => tally.counts.active });
  const feed = new InputFeed(o.inputs, {
    key: o.key,
    checkpoint,
    retryFailed: o.retryFailed,
    stop: stop.soft,
    onSkip: (reason) => tally.skip(reason),
  });
  const progress = o.progress
    ? showProgress(tally, {
        total: o.total,
        quotaRate: quota === undefined ? undefined : quotaRate(quota.rules),
        cost: o.cost,
      })
    : undefined;
  const { task, auto, cost, retry, retryable } = o;
  const { soft, hard } = stop;
  const items: ItemContext<I, R> = { task, quota, auto, cost, retry, retryable, output, failures, soft, hard };
  const worker = async (): Promise<void> => {
    try {
      for (let item = await feed.next(); item !== undefined; item = await feed.next()) {
        tally.begin();
        let outcome: ItemOutcome | undefined;
        try {
          outcome = await runItem(item, items);
        } finally {
          tally.end(outcome);
        }
      }
    } catch (error) {
      stop.fail(error);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    await feed.close();
  } finally {
    stop.dispose();
    progress?.stop();
  }
  return { counts: tally.counts, fatal: stop.fatal, stopping: stop.soft.aborted, exhausted: feed.exhausted };
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
 * seen (to skip finished keys and duplicates); `test/bulk/memory.test.ts` asserts less than
 * 16 MiB of heap growth over 100,000 keys.
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
  const o = resolveBulkOptions(options);
  const started = performance.now();
  const unlock = await takeRunLock(o.output);
  let out: LineWriter | undefined;
  let fails: LineWriter | undefined;
  try {
    const checkpoint = await readCheckpoint(o.output, o.failures);
    out = await LineWriter.open(o.output, o.syncIntervalMs);
    fails = LineWriter.lazy(o.failures, o.syncIntervalMs);
    const ran = await runItems(o, checkpoint, out, fails);
    await Promise.all([out.close(), fails.close()]);
    out = undefined;
    fails = undefined;
    if (ran.fatal) throw ran.fatal.error;
    const summary = summarize(ran.counts, {
      stopping: ran.stopping,
      exhausted: ran.exhausted,
      repairedBytes: checkpoint.truncatedBytes,
      elapsedMs: performance.now() - started,
      output: o.output,
      failures: o.failures,
    });
    if (o.handleSignals && summary.interrupted) process.stderr.write(resumeHint(summary));
    return summary;
  } finally {
    await Promise.all([out?.close().catch(() => {}), fails?.close().catch(() => {})]);
    await unlock();
  }
}
