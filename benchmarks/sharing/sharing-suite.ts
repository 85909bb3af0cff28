import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { worstWindow } from "../../scripts/worst-window.js";
import type { Progress } from "../progress.js";
import type { RedisTargets } from "../redis-targets.js";
import { type Settings, selected } from "../settings.js";
import { type ShareContender, shareContenders } from "./gates.js";
import { type StrictServer, startStrictServer } from "./strict-server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const worker = fileURLToPath(new URL("./share-worker.ts", import.meta.url));

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

interface WorkerReport {
  sent: number;
  rejected: number;
  done: number;
  failure?: string;
  slots: number[];
}

// Half the processes run 2 s ahead of the others; the cron-style run starts one every 0.6 window.
const SKEW_MS = 2_000;
const STAGGER = 0.6;

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
  targets: RedisTargets,
  server: StrictServer,
  settings: Settings,
): Promise<ShareRow> {
  const { contender, processes, variant } = plan;
  const { shareJob: job, shareLimit: limit, shareWindowMs: windowMs } = settings;
  const idealMs = (Math.ceil(job / limit) - 1) * windowMs;
  const giveUpMs = idealMs * 4 + 10_000;
  const children: ChildProcess[] = [];
  const reports: Array<Promise<WorkerReport>> = [];
  const ready: Array<Promise<void>> = [];
  const quota = `share-${process.pid}-${++runNumber}`;
  for (let w = 0; w < processes; w++) {
    const tasks = Math.floor(job / processes) + (w < job % processes ? 1 : 0);
    const child = spawn(process.execPath, ["--import", "tsx", worker], {
      cwd: root,
      env: {
        ...process.env,
        CONTENDER: contender,
        REDIS_URL: targets.url,
        SERVER_URL: server.url,
        QUOTA: quota,
        LIMIT: String(limit),
        WINDOW_MS: String(windowMs),
        PROCESSES: String(processes),
        TASKS: String(tasks),
        IN_FLIGHT: "4",
        CLOCK_SKEW_MS: variant === "clock skew" && w % 2 === 1 ? String(SKEW_MS) : "0",
        START_DELAY_MS: variant === "cron-style" ? String(Math.round(w * STAGGER * windowMs)) : "0",
        GIVE_UP_MS: String(giveUpMs),
        WARMUP_REQUESTS: String(settings.shareWarmupRequests),
      },
      stdio: ["pipe", "pipe", "inherit"],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    let onReady: () => void = () => {};
    ready.push(new Promise((resolve) => (onReady = resolve)));
    reports.push(
      new Promise((resolve, reject) => {
        let report: WorkerReport | undefined;
        lines.on("line", (line) => {
          if (line === "ready") onReady();
          else report = JSON.parse(line) as WorkerReport;
        });
        child.on("exit", (code) =>
          report === undefined ? reject(new Error(`${contender}: worker ${w} exited with ${code}`)) : resolve(report),
        );
      }),
    );
  }
  try {
    await Promise.all(ready);
    server.reset();
    const start = performance.now();
    for (const child of children) child.stdin?.write("go\n");
    const all = await Promise.all(reports);
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
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  }
}

/** How well each contender shares one quota among processes, judged by a strict local API. */
export async function sharingSuite(targets: RedisTargets, settings: Settings, progress: Progress): Promise<ShareRow[]> {
  const server = await startStrictServer(settings.shareLimit, settings.shareWindowMs);
  const rows: ShareRow[] = [];
  try {
    for (const plan of plans(settings)) {
      const label = `sharing ${plan.processes} processes ${plan.variant}: ${plan.contender}`;
      progress.step(label);
      rows.push(await runShare(plan, targets, server, settings));
      progress.done(label);
    }
  } finally {
    await server.close();
  }
  return rows;
}
