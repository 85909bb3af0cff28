import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ServerLimitKind } from "./server-limits.js";
import type { ShareContender } from "./share-contenders.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const workerFile = fileURLToPath(new URL("./share-worker.ts", import.meta.url));

/** One run of one worker: a JSON line on its stdin. */
export interface RunOrder {
  readonly quota: string;
  /** Processes sharing the quota in this run (the per-process patterns split the quota by it). */
  readonly processes: number;
  /** How the API counts its limit in this run: Sluice's route or quota is configured to match. */
  readonly kind: ServerLimitKind;
  /** Requests this worker must get accepted; absent: as many as it can until `stopAtMs`. */
  readonly tasks?: number;
  /** How far this worker's `Date.now` runs ahead during the run. */
  readonly clockSkewMs: number;
  /** How long after "go" this worker starts (the cron-style run). */
  readonly startDelayMs: number;
  /** When the worker stops starting requests, ms after "go"; a request under way is finished. */
  readonly stopAtMs: number;
}

/** What a worker answers after a run: its counts, and the slots its limiter reported. */
export interface WorkerReport {
  /** Requests whose caller saw a 200. */
  readonly done: number;
  /** How many callers saw each other status (a 429 the contender gave up on, say). */
  readonly callerStatuses: Readonly<Record<string, number>>;
  readonly failure?: string;
  readonly slots: readonly number[];
}

export interface PoolSettings {
  readonly redisUrl: string;
  readonly serverUrl: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly inFlight: number;
  readonly warmupRequests: number;
}

/** A warmed worker process of one contender, spoken to in lines. */
export interface ShareWorker {
  /** Sends the run order; resolves when the worker's gate for it is built. */
  prepare(order: RunOrder): Promise<void>;
  /** Starts the prepared run; resolves with the worker's report. */
  go(): Promise<WorkerReport>;
}

function startWorker(
  contender: ShareContender,
  index: number,
  settings: PoolSettings,
): {
  child: ChildProcess;
  worker: ShareWorker;
  warm: Promise<void>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", workerFile], {
    cwd: root,
    env: {
      ...process.env,
      CONTENDER: contender,
      REDIS_URL: settings.redisUrl,
      SERVER_URL: settings.serverUrl,
      LIMIT: String(settings.limit),
      WINDOW_MS: String(settings.windowMs),
      IN_FLIGHT: String(settings.inFlight),
      WARMUP_REQUESTS: String(settings.warmupRequests),
    },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> })[Symbol.asyncIterator]();
  const expect = async (what: string): Promise<string> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`${contender}: worker ${index} exited with ${child.exitCode} before ${what}`);
    return value;
  };
  const say = (line: string) => child.stdin?.write(`${line}\n`);
  const worker: ShareWorker = {
    async prepare(order) {
      say(JSON.stringify(order));
      await expect("ready");
    },
    async go() {
      say("go");
      return JSON.parse(await expect("its report")) as WorkerReport;
    },
  };
  return { child, worker, warm: expect("warming up").then(() => undefined) };
}

// Workers start this many at a time: sixteen loading their code at once on 2 cores starve one
// another for over a second, and a limiter call made meanwhile times out (Sluice's store gives up
// after 1 s by default) before the worker has even warmed up.
const START_BATCH = 4;

/**
 * Starts `size` worker processes of one contender, a batch at a time, and resolves once all have
 * warmed up; every run of the contender uses the first N of them, so a process is started and
 * warmed once, not once per run. `close` ends them.
 */
export async function startPool(
  contender: ShareContender,
  size: number,
  settings: PoolSettings,
): Promise<{ workers: readonly ShareWorker[]; close(): void }> {
  const started: ReturnType<typeof startWorker>[] = [];
  const close = () => {
    for (const { child } of started) if (child.exitCode === null) child.kill("SIGKILL");
  };
  try {
    for (let first = 0; first < size; first += START_BATCH) {
      const batch = Array.from({ length: Math.min(START_BATCH, size - first) }, (_, i) =>
        startWorker(contender, first + i, settings),
      );
      started.push(...batch);
      await Promise.all(batch.map(({ warm }) => warm));
    }
  } catch (error) {
    close();
    throw error;
  }
  return { workers: started.map(({ worker }) => worker), close };
}
