import { extname } from "node:path";
import type { Duration, Quota } from "@sluice/core";
import { type Backoff, durationToMicros, invalid, resolveBackoff } from "@sluice/core/adapter";
import type { BulkOptions, BulkTask } from "./options.js";

const defaults = {
  cost: 1,
  acquire: "auto",
  concurrency: 8,
  retry: { limit: 3, baseDelay: 1000, maxDelay: 30_000 },
  retryFailed: false,
  drain: 10_000,
  handleSignals: false,
  progress: "auto",
  syncInterval: 1000,
} as const;

/** The longest delay `setTimeout` keeps; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `BulkOptions` checked, with defaults filled in and durations in ms. */
export interface ResolvedBulkOptions<I, R> {
  readonly inputs: Iterable<I> | AsyncIterable<I>;
  readonly key: (input: I) => string;
  readonly task: BulkTask<I, R>;
  readonly output: string;
  readonly failures: string;
  readonly quota: Quota | undefined;
  readonly cost: number;
  /** Acquire `cost` before each task call and page: a quota with `acquire: "auto"`. */
  readonly auto: boolean;
  readonly concurrency: number;
  readonly retry: Backoff;
  readonly retryable: ((error: unknown) => boolean) | undefined;
  readonly retryFailed: boolean;
  readonly signal: AbortSignal | undefined;
  readonly drainMs: number;
  readonly handleSignals: boolean;
  /** Whether to show the bar (`"auto"` decided: stderr is a TTY). */
  readonly progress: boolean;
  /** Number of inputs: `total`, else the length of an array. */
  readonly total: number | undefined;
  readonly syncIntervalMs: number;
}

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

const ms = (option: string, value: Duration, max?: number): number => durationToMicros(option, value, 0, max) / 1000;

/** What the task runs on: inputs, key, task, files, quota. */
function checkWork<I, R>(o: BulkOptions<I, R>): void {
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
}

/** How the run goes: concurrency, retries, stopping, progress. */
function checkRun<I, R>(o: BulkOptions<I, R>): void {
  if (o.concurrency !== undefined)
    check("concurrency", isInt(o.concurrency, 1, 10_000), "an integer from 1 to 10000", o.concurrency);
  if (o.retryable !== undefined) check("retryable", typeof o.retryable === "function", "a function", o.retryable);
  if (o.retryFailed !== undefined) check("retryFailed", typeof o.retryFailed === "boolean", "a boolean", o.retryFailed);
  if (o.signal !== undefined) check("signal", o.signal instanceof AbortSignal, "an AbortSignal", o.signal);
  if (o.handleSignals !== undefined)
    check("handleSignals", typeof o.handleSignals === "boolean", "a boolean", o.handleSignals);
  if (o.progress !== undefined)
    check("progress", typeof o.progress === "boolean" || o.progress === "auto", 'a boolean or "auto"', o.progress);
  if (o.total !== undefined) check("total", isInt(o.total, 0), "an integer >= 0", o.total);
}

/**
 * Checks every option (one TypeError shape naming the option and value) and fills in the
 * defaults; an option given as `undefined` (possible from JavaScript) takes its default.
 */
export function resolveBulkOptions<I, R>(o: BulkOptions<I, R>): ResolvedBulkOptions<I, R> {
  if (typeof o !== "object" || o === null) invalid("options", "an options object", o);
  checkWork(o);
  checkRun(o);
  const quota = o.quota;
  const progress = o.progress ?? defaults.progress;
  return {
    inputs: o.inputs,
    key: o.key,
    task: o.task,
    output: o.output,
    failures: o.failures ?? defaultFailuresPath(o.output),
    quota,
    cost: o.cost ?? defaults.cost,
    auto: quota !== undefined && (o.acquire ?? defaults.acquire) === "auto",
    concurrency: o.concurrency ?? defaults.concurrency,
    retry: resolveBackoff("retry", o.retry, defaults.retry),
    retryable: o.retryable,
    retryFailed: o.retryFailed ?? defaults.retryFailed,
    signal: o.signal,
    drainMs: ms("drain", o.drain ?? defaults.drain, MAX_TIMER_MS),
    handleSignals: o.handleSignals ?? defaults.handleSignals,
    progress: progress === "auto" ? process.stderr.isTTY === true : progress,
    total: o.total ?? (Array.isArray(o.inputs) ? o.inputs.length : undefined),
    syncIntervalMs: ms("syncInterval", o.syncInterval ?? defaults.syncInterval),
  };
}
