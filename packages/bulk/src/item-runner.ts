import { setMaxListeners } from "node:events";
import type { Grant, Quota } from "@sluice/core";
import { type Backoff, sleep } from "@sluice/core/adapter";
import { failureVerdict } from "./failure-policy.js";
import type { Item } from "./input-feed.js";
import { isAsyncIterable } from "./iterables.js";
import type { Json } from "./json.js";
import { checkPage, endLine, failureLine, pageLine, resultLine } from "./lines.js";
import type { BulkTask } from "./options.js";
import type { ItemOutcome } from "./tally.js";

/** Where lines go (a `LineWriter`): `append` resolves once the line is in the file. */
export interface LineSink {
  append(line: string): Promise<void>;
}

/** What every item of a run shares. */
export interface ItemContext<I, R> {
  readonly task: BulkTask<I, R>;
  readonly quota: Quota | undefined;
  /** Acquire `cost` before each task call and each page. */
  readonly auto: boolean;
  readonly cost: number;
  readonly retry: Backoff;
  readonly retryable: ((error: unknown) => boolean) | undefined;
  readonly output: LineSink;
  readonly failures: LineSink;
  /** Aborted at a stop: quota waits and retry sleeps end, no page starts after the current one. */
  readonly soft: AbortSignal;
  /** Aborted when in-flight work must end now. */
  readonly hard: AbortSignal;
}

/** One item's progress: where its next page starts, its current try, and what it spent. */
interface Progress {
  page: number;
  cursor: Json | undefined;
  attempt: number;
  pages: number;
  requests: number;
  retries: number;
  units: number;
}

/** The grants of one task call: taken on demand, given back once the request they paid for is done. */
function grantsOf(run: Pick<ItemContext<unknown, unknown>, "quota" | "cost" | "soft">, at: Progress) {
  const grants: Grant[] = [];
  const { quota } = run;
  return {
    acquire: async (cost: number = run.cost): Promise<void> => {
      if (quota === undefined) return;
      grants.push(await quota.acquire({ cost, signal: run.soft }));
      at.requests++;
      at.units += cost;
    },
    releaseAll: async (): Promise<void> => {
      if (quota === undefined || grants.length === 0) return;
      await Promise.all(grants.splice(0).map((grant) => quota.release(grant))).catch(() => {});
    },
  };
}

/**
 * A signal per task call, aborted with `hard`: fetch in Node 20 leaves its abort listener on
 * the signal it was given until GC, and thousands on one signal slow every request.
 */
function callSignal(hard: AbortSignal): { readonly signal: AbortSignal; dispose(): void } {
  const call = new AbortController();
  setMaxListeners(0, call.signal);
  const abort = (): void => call.abort(hard.reason);
  if (hard.aborted) abort();
  else hard.addEventListener("abort", abort, { once: true });
  return { signal: call.signal, dispose: () => hard.removeEventListener("abort", abort) };
}

/** Writes each page as it comes, acquiring before the next; stops after a page once the run stops. */
async function writePages(
  key: string,
  pages: AsyncIterator<unknown>,
  at: Progress,
  run: Pick<ItemContext<unknown, unknown>, "output" | "soft" | "auto">,
  grants: ReturnType<typeof grantsOf>,
): Promise<"done" | "stopped"> {
  for (;;) {
    const step = await pages.next();
    await grants.releaseAll();
    if (step.done) {
      await run.output.append(endLine(key, at.page));
      return "done";
    }
    const { result, cursor } = checkPage(key, step.value);
    await run.output.append(pageLine(key, at.page, cursor, result));
    at.pages++;
    at.page++;
    at.cursor = cursor;
    at.attempt = 1;
    if (cursor === null) return "done";
    if (run.soft.aborted) return "stopped";
    if (run.auto) await grants.acquire();
  }
}

/** One task call, from the item's next page to its end or a stop; throws what the task threw. */
async function callTask<I, R>(item: Item<I>, at: Progress, run: ItemContext<I, R>): Promise<"done" | "stopped"> {
  const grants = grantsOf(run, at);
  const call = callSignal(run.hard);
  let pages: AsyncIterator<unknown> | undefined;
  try {
    if (run.auto) await grants.acquire();
    const { key } = item;
    const context = { key, attempt: at.attempt, page: at.page, cursor: at.cursor, signal: call.signal };
    const returned = run.task(item.input, { ...context, acquire: grants.acquire });
    if (!isAsyncIterable(returned)) {
      const result = await returned;
      await grants.releaseAll();
      await run.output.append(resultLine(key, result));
      return "done";
    }
    pages = returned[Symbol.asyncIterator]();
    return await writePages(key, pages, at, run, grants);
  } catch (error) {
    await grants.releaseAll();
    throw error;
  } finally {
    call.dispose();
    // Closes a generator left suspended (stop, last page, failure); a no-op once it ended.
    await pages?.return?.()?.catch?.(() => {});
  }
}

/**
 * Runs one item to its end: its task calls, each page written before the next is asked for,
 * retries (see `failureVerdict`), and a failure line when it fails for good. Throws only what
 * must end the run (the output cannot be written).
 */
export async function runItem<I, R>(item: Item<I>, run: ItemContext<I, R>): Promise<ItemOutcome> {
  const at: Progress = {
    page: item.resume?.page ?? 0,
    cursor: item.resume?.cursor,
    attempt: 1,
    pages: 0,
    requests: 0,
    retries: 0,
    units: 0,
  };
  const ended = (end: ItemOutcome["end"]): ItemOutcome => {
    const { pages, requests, retries, units } = at;
    return { end, pages, requests, retries, units };
  };
  for (;;) {
    try {
      return ended(await callTask(item, at, run));
    } catch (error) {
      const verdict = failureVerdict(
        { error, attempt: at.attempt, stopping: run.soft.aborted },
        run.retry,
        run.retryable,
      );
      if (verdict.kind === "throw") throw error;
      if (verdict.kind === "stop") return ended("stopped");
      if (verdict.kind === "fail") {
        await run.failures.append(failureLine(item.key, at.page, at.attempt, error));
        return ended("failed");
      }
      try {
        await sleep(verdict.delayMs, run.soft);
      } catch {
        return ended("stopped");
      }
      at.retries++;
      at.attempt++;
    }
  }
}
