import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ServerLimitKind } from "./server-limits.js";
import type { ShareContender } from "./share-contenders.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const workerFile = fileURLToPath(new URL("./contender-worker.ts", import.meta.url));

/** Has a worker warm a contender up: a JSON line on its stdin. */
export interface WarmOrder {
  readonly warm: ShareContender;
}

/** One run of one worker: a JSON line on its stdin. */
export interface RunOrder {
  readonly contender: ShareContender;
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

/** A worker process, spoken to in lines. */
export interface ShareWorker {
  /** Sends the run order; resolves when the worker's client for it is built. */
  prepare(order: RunOrder): Promise<void>;
  /** Starts the prepared run; resolves with the worker's report. */
  go(): Promise<WorkerReport>;
}

interface StartedWorker {
  readonly child: ChildProcess;
  readonly worker: ShareWorker;
  /** Resolves once the process has loaded its code and opened its sockets. */
  readonly started: Promise<void>;
  /** Warms a contender up in this process; resolves when done. */
  warm(contender: ShareContender): Promise<void>;
  /** The contenders this process has warmed up. */
  readonly warmed: Set<ShareContender>;
}

function startWorker(index: number, settings: PoolSettings): StartedWorker {
  const child = spawn(process.execPath, ["--import", "tsx", workerFile], {
    cwd: root,
    env: {
      ...process.env,
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
    if (done) throw new Error(`worker ${index} exited with ${child.exitCode} before ${what}`);
    return value;
  };
  const say = (line: string) => child.stdin?.write(`${line}\n`);
  const warmed = new Set<ShareContender>();
  return {
    child,
    warmed,
    started: expect("starting").then(() => undefined),
    async warm(contender) {
      say(JSON.stringify({ warm: contender } satisfies WarmOrder));
      await expect(`warming ${contender} up`);
      warmed.add(contender);
    },
    worker: {
      async prepare(order) {
        say(JSON.stringify(order));
        await expect(`${order.contender} was ready`);
      },
      async go() {
        say("go");
        return JSON.parse(await expect("its report")) as WorkerReport;
      },
    },
  };
}

// Workers start and warm up this many at a time: sixteen loading their code at once on 2 cores
// starve one another for over a second, and a limiter call made meanwhile times out (Sluice's
// store gives up after 1 s by default) before the worker has even warmed up.
const BATCH = 4;

async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let first = 0; first < items.length; first += BATCH) {
    await Promise.all(items.slice(first, first + BATCH).map(each));
  }
}

/**
 * Worker processes shared by every contender of the sharing and arrival sections: a process is
 * started once, warms each contender up before that contender's first run in it, and a run of N
 * processes uses the first N. Starting processes (Node, tsx, every contender's code) took 1.5
 * to 4 s for two on 2 cores (2026-12-03), more than a quick run's whole job: started per
 * contender, they were most of the quick benchmark's time.
 */
export class WorkerPool {
  readonly #settings: PoolSettings;
  #started: StartedWorker[] = [];

  constructor(settings: PoolSettings) {
    this.#settings = settings;
  }

  /** The first `count` workers, started and warmed up for `contender` where they were not yet. */
  async ready(contender: ShareContender, count: number): Promise<readonly ShareWorker[]> {
    try {
      const missing = Array.from(
        { length: Math.max(0, count - this.#started.length) },
        (_, i) => this.#started.length + i,
      );
      await inBatches(missing, (index) => {
        const started = startWorker(index, this.#settings);
        this.#started[index] = started;
        return started.started;
      });
      const used = this.#started.slice(0, count);
      await inBatches(
        used.filter((w) => !w.warmed.has(contender)),
        (w) => w.warm(contender),
      );
      return used.map((w) => w.worker);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Ends every worker; the next `ready` starts fresh ones (a failed run may leave requests under way in its workers). */
  close(): void {
    for (const { child } of this.#started) if (child.exitCode === null) child.kill("SIGKILL");
    this.#started = [];
  }
}
