import { createLimiter, type Rule } from "@sluice/node";
import type { Redis } from "ioredis";

/** Where the default Sluice contenders keep their quotas, so that what they learned can be read after a run. */
export const DEFAULT_SLUICE_PREFIX = "share-default";

/** What a default quota learned in one run, read from Redis after it. */
export interface Learned {
  /** The margin every window was lengthened by at the end of the run, ms. */
  readonly marginMs: number;
  /** The share of the limit in force at the end, 0.1 to 1. */
  readonly share: number;
  /**
   * Ms from the run's start to the last 429 that grew the margin or lowered the share (the
   * quota's `delay-spread` and `outside-spend` events); `undefined` when none did.
   */
  readonly settledAfterMs: number | undefined;
  /** The 429s the quota noted (the newest 50 are kept), by the cause it gave them. */
  readonly causes: Readonly<Record<string, number>>;
}

interface NotedEvent {
  readonly type: string;
  readonly cause?: string;
  readonly at: number;
}

const CHANGES = new Set(["delay-spread", "outside-spend"]);

/**
 * The figures in force (`quota.state()` on a quota of the same name, rule and defaults) and the
 * quota's shared event history (its newest 50 events, newest first). Event times are the noting
 * process's `Date.now()`: a process whose clock runs ahead dates its events ahead too.
 * `undefined` for a quota without a learned arrival part.
 */
export async function readLearned(
  redis: Redis,
  quota: string,
  rule: Rule,
  runStartEpochMs: number,
): Promise<Learned | undefined> {
  const limiter = createLimiter({ redis, prefix: DEFAULT_SLUICE_PREFIX });
  const { arrival } = await limiter.quota(quota, { limits: [rule] }).state();
  limiter.close();
  if (arrival === undefined) return undefined;
  const events = (await redis.lrange(`${DEFAULT_SLUICE_PREFIX}:{${quota}}:events`, 0, -1))
    .map((entry) => JSON.parse(entry) as NotedEvent)
    .filter((event) => event.type === "rate-limited");
  const causes: Record<string, number> = {};
  for (const { cause = "unknown" } of events) causes[cause] = (causes[cause] ?? 0) + 1;
  const lastChange = events.find((event) => event.cause !== undefined && CHANGES.has(event.cause));
  return {
    marginMs: arrival.marginMs,
    share: arrival.share,
    settledAfterMs: lastChange === undefined ? undefined : lastChange.at - runStartEpochMs,
    causes,
  };
}
