import { worstWindow } from "../../scripts/worst-window.js";
import type { Progress } from "../progress.js";
import type { RedisTargets } from "../redis-targets.js";
import { type Settings, selected } from "../settings.js";
import { type ShareContender, shareContenders } from "./gates.js";
import { type StrictServer, startStrictServer } from "./strict-server.js";
import { type ShareWorker, startPool } from "./worker-pool.js";

export type ShareVariant = "together" | "clock skew" | "cron-style";

export interface ShareRow {
  readonly contender: ShareContender;
  readonly processes: number;
  readonly variant: ShareVariant;
  readonly sent: number;
  readonly rejected: number;
  /** Most requests that reached the server in any one window (the limit is `limit`). */
  readonly worstWindow: number;
  /** The same on the limiter's own clock (the slots it handed out), when it reports them. */
  readonly worstWindowLimiterClock?: number;
  /** How many ms after its slot a request reached the server (median and most), when slots are reported. */
  readonly arrivalLagMs?: { readonly p50: number; readonly max: number };
  readonly limit: number;
  /** Accepted / what the quota allowed from the first to the last accepted request. */
  readonly utilisation: number;
  readonly elapsedMs: number;
  /** The least time the job can take under the quota: `limit` at once, then `limit` per window. */
  readonly idealMs: number;
  readonly finished: boolean;
  readonly failure?: string;
}

// Half the processes run 2 s ahead of the others; the cron-style run starts one every 0.6 window.
const SKEW_MS = 2_000;
const STAGGER = 0.6;
// Requests each process keeps in flight.
const IN_FLIGHT = 4;

interface Plan {
  readonly contender: ShareContender;
  readonly processes: number;
  readonly variant: ShareVariant;
}

function plans(settings: Settings): Plan[] {
  const list: Plan[] = [];
  for (const contender of shareContenders.filter((name) => selected(settings, name))) {
    for (const processes of settings.shareProcesses) list.push({ contender, processes, variant: "together" });
    if (settings.shareVariants) {
      list.push({ contender, processes: 4, variant: "clock skew" });
      list.push({ contender, processes: 4, variant: "cron-style" });
    }
  }
  return list;
}

export const sharingSteps = (settings: Settings): number => plans(settings).length;

let runNumber = 0;

/** A sliding window allows `limit` at once and `limit` per window after: over t ms, limit·(1 + t/window). */
function utilisation(accepted: readonly number[], limit: number, windowMs: number): number {
  if (accepted.length === 0) return 0;
  const span = Math.max(...accepted) - Math.min(...accepted);
  return accepted.length / (limit * (1 + span / windowMs));
}

function medianAndMost(values: readonly number[]): { p50: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)] as number, max: sorted[sorted.length - 1] as number };
}

async function runShare(
  plan: Plan,
  pool: readonly ShareWorker[],
  server: StrictServer,
  settings: Settings,
): Promise<ShareRow> {
  const { contender, processes, variant } = plan;
  const { shareJob: job, shareLimit: limit, shareWindowMs: windowMs } = settings;
  const idealMs = (Math.ceil(job / limit) - 1) * windowMs;
  const quota = `share-${process.pid}-${++runNumber}`;
  const workers = pool.slice(0, processes);
  await Promise.all(
    workers.map((worker, w) =>
      worker.prepare({
        quota,
        processes,
        tasks: Math.floor(job / processes) + (w < job % processes ? 1 : 0),
        clockSkewMs: variant === "clock skew" && w % 2 === 1 ? SKEW_MS : 0,
        startDelayMs: variant === "cron-style" ? Math.round(w * STAGGER * windowMs) : 0,
        giveUpMs: idealMs * 4 + 10_000,
      }),
    ),
  );
  server.reset();
  const start = performance.now();
  const all = await Promise.all(workers.map((worker) => worker.go()));
  const elapsedMs = performance.now() - start;
  const tally = server.tally();
  const failure = all.find((r) => r.failure !== undefined)?.failure;
  const slots = all.flatMap((r) => r.slots);
  return {
    contender,
    processes,
    variant,
    sent: tally.arrivals.length,
    rejected: tally.rejected,
    worstWindow: worstWindow(tally.arrivals, windowMs),
    ...(slots.length === 0 ? {} : { worstWindowLimiterClock: worstWindow(slots, windowMs) }),
    ...(tally.lagsMs.length === 0 ? {} : { arrivalLagMs: medianAndMost(tally.lagsMs) }),
    limit,
    utilisation: utilisation(tally.accepted, limit, windowMs),
    elapsedMs,
    idealMs,
    finished: all.reduce((sum, r) => sum + r.done, 0) === job,
    ...(failure === undefined ? {} : { failure }),
  };
}

/**
 * How well each contender shares one quota among processes, judged by a strict local API. Each
 * contender's processes are started and warmed once, and serve all its runs.
 */
export async function sharingSuite(targets: RedisTargets, settings: Settings, progress: Progress): Promise<ShareRow[]> {
  const server = await startStrictServer(settings.shareLimit, settings.shareWindowMs);
  const rows: ShareRow[] = [];
  try {
    for (const contender of shareContenders.filter((name) => selected(settings, name))) {
      const runs = plans(settings).filter((plan) => plan.contender === contender);
      const start = () =>
        startPool(contender, Math.max(...runs.map((plan) => plan.processes)), {
          redisUrl: targets.url,
          serverUrl: server.url,
          limit: settings.shareLimit,
          windowMs: settings.shareWindowMs,
          inFlight: IN_FLIGHT,
          warmupRequests: settings.shareWarmupRequests,
        });
      let pool = await start();
      try {
        for (const plan of runs) {
          const label = `sharing ${plan.processes} processes ${plan.variant}: ${plan.contender}`;
          progress.step(label);
          const row = await runShare(plan, pool.workers, server, settings);
          rows.push(row);
          progress.done(label);
          // A failed run may leave requests under way in its workers: the next run gets fresh ones.
          if (row.failure !== undefined && plan !== runs.at(-1)) {
            pool.close();
            pool = await start();
          }
        }
      } finally {
        pool.close();
      }
    }
  } finally {
    await server.close();
  }
  return rows;
}
