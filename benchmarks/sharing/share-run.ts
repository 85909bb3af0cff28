import { Redis } from "ioredis";
import { worstWindow } from "../../tools/worst-window.js";
import type { Progress } from "../progress.js";
import type { Settings } from "../settings.js";
import { startForeignClient } from "./foreign-client.js";
import { type Learned, readLearned } from "./learned-arrival.js";
import { documentedRule, type ServerLimitKind } from "./server-limits.js";
import { hasDefaultArrival, type ShareContender } from "./share-contenders.js";
import { medianAndMost, steadyUse, utilisation } from "./share-figures.js";
import type { ShareRig } from "./share-rig.js";
import type { StrictServer } from "./strict-server.js";
import type { ShareWorker } from "./worker-pool.js";

export type ShareVariant = "together" | "clock skew" | "cron-style";

/** A job of accepted requests split over the processes, or a run of a fixed length. */
export type RunLength = { readonly job: number } | { readonly runMs: number };

/** One run of one contender. */
export interface Plan {
  readonly contender: ShareContender;
  readonly processes: number;
  readonly variant: ShareVariant;
  readonly kind: ServerLimitKind;
  /** Share of the limit a client outside Sluice spends during the run (0: none). */
  readonly foreignShare: number;
  readonly length: RunLength;
}

/** What the client outside Sluice sent and got. */
export interface ForeignFigures {
  readonly sent: number;
  readonly rejected: number;
  /** Its share of the server's quota over the steady part. */
  readonly steadyUse: number | undefined;
}

export interface ShareRow {
  readonly contender: ShareContender;
  readonly processes: number;
  readonly variant: ShareVariant;
  readonly kind: ServerLimitKind;
  readonly foreignShare: number;
  /** The contender's requests that reached the server (the client outside Sluice's are counted apart). */
  readonly sent: number;
  readonly rejected: number;
  /** The 429s of requests that arrived after the first `STEADY_AFTER_MS` of the run. */
  readonly rejectedLate: number;
  /** Most requests that reached the server in any one window (the limit is `limit`). */
  readonly worstWindow: number;
  /** The same on the limiter's own clock (the slots it handed out), when it reports them. */
  readonly worstWindowLimiterClock?: number;
  /** How many ms after its slot a request reached the server (median and most), when slots are reported. */
  readonly arrivalLagMs?: { readonly p50: number; readonly max: number };
  readonly limit: number;
  /** Accepted / what the quota allowed from the first to the last accepted request. */
  readonly utilisation: number;
  /** The contender's share of the server's quota after the first `STEADY_AFTER_MS` (see `steadyUse`). */
  readonly steadyUse?: number;
  /** Statuses other than 200 the callers saw, and how often. */
  readonly callerStatuses: Readonly<Record<string, number>>;
  /** For an untuned Sluice quota: what it learned. */
  readonly learned?: Learned;
  readonly foreign?: ForeignFigures;
  readonly elapsedMs: number;
  /** For a job: the least time it can take under the quota, `limit` at once, then `limit` per window. */
  readonly idealMs?: number;
  readonly finished: boolean;
  readonly failure?: string;
}

/** The start of a run, where the limiters and the server's window are still empty: its 429s are counted apart. */
const STEADY_AFTER_MS = 2_000;
// Half the processes run 2 s ahead of the others; the cron-style run starts one every 0.6 window.
const SKEW_MS = 2_000;
const STAGGER = 0.6;

let runNumber = 0;

const idealMsOf = (job: number, limit: number, windowMs: number): number => (Math.ceil(job / limit) - 1) * windowMs;

/** When the workers stop starting requests: four times a job's least time plus 10 s, or a timed run's end. */
const stopAtMsOf = (length: RunLength, limit: number, windowMs: number): number =>
  "job" in length ? idealMsOf(length.job, limit, windowMs) * 4 + 10_000 : length.runMs;

function addCounts(reports: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const report of reports) for (const [status, n] of Object.entries(report)) sum[status] = (sum[status] ?? 0) + n;
  return sum;
}

async function runShare(
  plan: Plan,
  pool: readonly ShareWorker[],
  server: StrictServer,
  redis: Redis,
  settings: Settings,
): Promise<ShareRow> {
  const { contender, processes, variant, kind, foreignShare, length } = plan;
  const { shareLimit: limit, shareWindowMs: windowMs } = settings;
  const idealMs = "job" in length ? idealMsOf(length.job, limit, windowMs) : undefined;
  const stopAtMs = stopAtMsOf(length, limit, windowMs);
  const quota = `share-${process.pid}-${++runNumber}`;
  const workers = pool.slice(0, processes);
  await Promise.all(
    workers.map((worker, w) =>
      worker.prepare({
        contender,
        quota,
        processes,
        kind,
        ...("job" in length
          ? { tasks: Math.floor(length.job / processes) + (w < length.job % processes ? 1 : 0) }
          : {}),
        clockSkewMs: variant === "clock skew" && w % 2 === 1 ? SKEW_MS : 0,
        startDelayMs: variant === "cron-style" ? Math.round(w * STAGGER * windowMs) : 0,
        stopAtMs,
      }),
    ),
  );
  server.reset(kind);
  const start = performance.now();
  const startEpochMs = Date.now();
  const foreign = foreignShare > 0 ? startForeignClient(server.url, foreignShare * limit, windowMs) : undefined;
  const stopForeign = foreign === undefined ? undefined : setTimeout(() => foreign.stop(), stopAtMs);
  const all = await Promise.all(workers.map((worker) => worker.go()));
  const elapsedMs = performance.now() - start;
  clearTimeout(stopForeign);
  await foreign?.stop();
  const { arrivals, lagsMs } = server.tally();
  const own = arrivals.filter((a) => !a.foreign);
  const accepted = own.filter((a) => a.accepted).map((a) => a.atMs);
  const failure = all.find((r) => r.failure !== undefined)?.failure;
  const slots = all.flatMap((r) => r.slots);
  const steadyFrom = start + STEADY_AFTER_MS;
  const steadyTo = "job" in length ? Math.max(...accepted) : start + length.runMs;
  const use = (times: readonly number[]) =>
    steadyTo > steadyFrom ? steadyUse(times, steadyFrom, steadyTo, limit, windowMs) : undefined;
  const steady = use(accepted);
  const foreignArrivals = arrivals.filter((a) => a.foreign);
  const foreignUse = use(foreignArrivals.filter((a) => a.accepted).map((a) => a.atMs));
  const learned = hasDefaultArrival(contender)
    ? await readLearned(redis, quota, documentedRule(kind, limit, windowMs), startEpochMs)
    : undefined;
  const done = all.reduce((sum, r) => sum + r.done, 0);
  return {
    contender,
    processes,
    variant,
    kind,
    foreignShare,
    sent: own.length,
    rejected: own.length - accepted.length,
    rejectedLate: own.filter((a) => !a.accepted && a.atMs >= steadyFrom).length,
    worstWindow: worstWindow(
      own.map((a) => a.atMs),
      windowMs,
    ),
    ...(slots.length === 0 ? {} : { worstWindowLimiterClock: worstWindow(slots, windowMs) }),
    ...(lagsMs.length === 0 ? {} : { arrivalLagMs: medianAndMost(lagsMs) }),
    limit,
    utilisation: utilisation(accepted, limit, windowMs),
    ...(steady === undefined ? {} : { steadyUse: steady }),
    callerStatuses: addCounts(all.map((r) => r.callerStatuses)),
    ...(learned === undefined ? {} : { learned }),
    ...(foreign === undefined
      ? {}
      : {
          foreign: {
            sent: foreignArrivals.length,
            rejected: foreignArrivals.filter((a) => !a.accepted).length,
            steadyUse: foreignUse,
          },
        }),
    elapsedMs,
    ...(idealMs === undefined ? {} : { idealMs }),
    finished: failure === undefined && ("job" in length ? done === length.job : true),
    ...(failure === undefined ? {} : { failure }),
  };
}

/**
 * Runs every plan of one contender, in order, on the rig's worker processes (warmed up for it
 * before its first run in them). A failed run may leave requests under way in its workers: the
 * next run gets fresh ones.
 */
export async function runContender<P extends Plan>(
  contender: ShareContender,
  plans: readonly P[],
  context: {
    readonly rig: ShareRig;
    readonly settings: Settings;
    /** The section the runs belong to, for the progress line. */
    readonly section: string;
  },
  progress: Progress,
): Promise<Array<{ readonly plan: P; readonly row: ShareRow }>> {
  const { rig, settings, section } = context;
  const redis = new Redis(rig.redisUrl, { maxRetriesPerRequest: 1 });
  const rows: Array<{ readonly plan: P; readonly row: ShareRow }> = [];
  try {
    for (const plan of plans) {
      const label = `${section} ${plan.processes} processes ${plan.variant}, ${plan.kind}${
        plan.foreignShare > 0 ? " + foreign client" : ""
      }: ${plan.contender}`;
      progress.step(label);
      const workers = await rig.pool.ready(contender, plan.processes);
      const row = await runShare(plan, workers, rig.server, redis, settings);
      rows.push({ plan, row });
      progress.done(label);
      if (row.failure !== undefined) rig.pool.close();
    }
  } catch (error) {
    rig.pool.close();
    throw error;
  } finally {
    redis.disconnect();
  }
  return rows;
}
