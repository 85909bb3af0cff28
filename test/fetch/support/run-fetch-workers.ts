import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { FetchStats } from "@sluice/fetch";
import { spawnScript } from "../../../tools/spawn-script.js";
import type { Phase } from "./fetch-worker";

const script = fileURLToPath(new URL("./fetch-worker.ts", import.meta.url));

export type { Phase };

export interface PhaseResult {
  /** Statuses of the calls that finished, all workers. */
  readonly statuses: number[];
  /** Names of the errors calls rejected with, all workers. */
  readonly errors: string[];
  /** `stats()` of each worker's fetch. */
  readonly stats: Array<Record<string, FetchStats>>;
  /** The most retries one call needed, over all workers. */
  readonly mostRetries: number;
}

export interface FetchWorkers {
  /**
   * Runs one phase in every worker; worker w starts `w * staggerMs` after the first, as a
   * fleet's processes start apart. `onStart` runs just before the first starts.
   */
  run(phase: Phase, staggerMs: number, onStart?: () => void): Promise<PhaseResult>;
  close(): Promise<void>;
}

/** One line a worker prints during a phase. */
interface WorkerLine {
  readonly status?: number;
  readonly error?: string;
  readonly stats?: Record<string, FetchStats>;
  readonly mostRetries?: number;
}

interface Worker {
  readonly child: ChildProcess;
  /** Resolves with the lines of the phase in progress when it prints "done". */
  onDone: ((lines: string[]) => void) | undefined;
  lines: string[];
}

/** Starts `count` fetch-worker processes (tsx) and resolves once all are ready. */
export async function startFetchWorkers(count: number, redisUrl: string): Promise<FetchWorkers> {
  const workers: Worker[] = [];
  const ready: Array<Promise<void>> = [];
  for (let w = 0; w < count; w++) {
    const child = spawnScript(script, {
      env: { ...process.env, REDIS_URL: redisUrl, WORKER: String(w) },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const worker: Worker = { child, onDone: undefined, lines: [] };
    workers.push(worker);
    const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    ready.push(
      new Promise((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`fetch worker ${w} exited with ${code} before it was ready`)));
        lines.on("line", (line) => {
          if (line === "ready") return resolve();
          if (line === "done") {
            const done = worker.onDone;
            const collected = worker.lines;
            worker.onDone = undefined;
            worker.lines = [];
            return done?.(collected);
          }
          worker.lines.push(line);
        });
      }),
    );
  }
  const close = async (): Promise<void> => {
    await Promise.all(
      workers.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.stdin?.end();
          }),
      ),
    );
  };
  try {
    await Promise.all(ready);
  } catch (error) {
    for (const { child } of workers) if (child.exitCode === null) child.kill("SIGKILL");
    throw error;
  }
  return {
    close,
    async run(phase, staggerMs, onStart) {
      const done = workers.map(
        (worker) => new Promise<string[]>((resolve) => Object.assign(worker, { onDone: resolve })),
      );
      onStart?.();
      workers.forEach((worker, w) => {
        setTimeout(() => worker.child.stdin?.write(`${JSON.stringify(phase)}\n`), w * staggerMs);
      });
      const all = (await Promise.all(done)).flat().map((line) => JSON.parse(line) as WorkerLine);
      return {
        statuses: all.flatMap((entry) => (entry.status === undefined ? [] : [entry.status])),
        errors: all.flatMap((entry) => (entry.error === undefined ? [] : [entry.error])),
        stats: all.flatMap((entry) => (entry.stats === undefined ? [] : [entry.stats])),
        mostRetries: Math.max(0, ...all.map((entry) => entry.mostRetries ?? 0)),
      };
    },
  };
}
