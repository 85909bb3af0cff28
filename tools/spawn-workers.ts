import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { spawnScript } from "./spawn-script.js";

const root = fileURLToPath(new URL("..", import.meta.url));

export interface WorkerRun {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly quota: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly durationMs: number;
  readonly workers: number;
  /** Date.now offset of each worker, in ms (a worker without one keeps the real clock). */
  readonly clockSkewsMs?: readonly number[];
  /** Quota options exact on Redis's clock (`arrivalMargin: 0, pacing: false`) instead of the defaults. */
  readonly exact?: boolean;
  /** Called once every worker has been told to go, so that other spenders can start with them. */
  readonly onGo?: () => void;
  /** Called with each admission as its worker reports it: worker index from 0, epoch ms of its slot. */
  readonly onAdmission?: (worker: number, admittedAt: number) => void;
}

/**
 * Starts `workers` processes of tools/admission-worker.ts, releases them together once all are
 * ready, and resolves to the admission times of each when all have exited.
 */
export async function runWorkers(run: WorkerRun): Promise<number[][]> {
  const env = {
    ...process.env,
    REDIS_URL: run.redisUrl,
    PREFIX: run.prefix,
    QUOTA: run.quota,
    LIMIT: String(run.limit),
    WINDOW_MS: String(run.windowMs),
    DURATION_MS: String(run.durationMs),
    EXACT: run.exact ? "1" : "0",
  };
  const children: ChildProcess[] = [];
  const times: number[][] = [];
  const ready: Array<Promise<void>> = [];
  const exited: Array<Promise<void>> = [];
  for (let w = 0; w < run.workers; w++) {
    const skew = String(run.clockSkewsMs?.[w] ?? 0);
    const child = spawnScript(`${root}tools/admission-worker.ts`, {
      env: { ...env, CLOCK_SKEW_MS: skew },
      stdio: ["pipe", "pipe", "inherit"],
    });
    children.push(child);
    const own: number[] = [];
    times.push(own);
    const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    ready.push(
      new Promise((resolve) => {
        lines.on("line", (line) => {
          if (line === "ready") return resolve();
          const { admittedAt } = JSON.parse(line) as { admittedAt: number };
          own.push(admittedAt);
          run.onAdmission?.(w, admittedAt);
        });
      }),
    );
    exited.push(
      new Promise((resolve, reject) =>
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`worker ${w} exited with ${code}`)))),
      ),
    );
  }
  try {
    await Promise.all(ready);
    for (const child of children) child.stdin?.write("go\n");
    run.onGo?.();
    await Promise.all(exited);
    return times;
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  }
}
