import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import type { Progress } from "../progress.js";
import { flushAll, type RedisTargets } from "../redis-targets.js";
import { type Settings, selected } from "../settings.js";
import { type ColdStartContender, coldStartContenders } from "./first-decision.js";

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const worker = fileURLToPath(new URL("./cold-start-worker.ts", import.meta.url));

// In this order: the runs on a fresh server load every script a first decision needs, so the
// cached runs that follow find them there without a process of their own to load them.
export const scriptStates = ["not cached (fresh server)", "cached (another process ran it)"] as const;

export type ScriptState = (typeof scriptStates)[number];

export interface ColdStartRow {
  readonly contender: ColdStartContender;
  readonly scripts: ScriptState;
  /** Commands clients sent for the first decision (ioredis's INFO ready checks left out). */
  readonly roundTrips: number;
  /** Those commands by name, e.g. `evalsha 1, eval 1`. */
  readonly commands: string;
  /** From connected to the first decision, ms (median of the runs). */
  readonly decisionMs: number;
  /** From the process's start (module loading included) to the first decision, ms (median). */
  readonly processMs: number;
}

/**
 * Watches the server with MONITOR on a side connection and counts the commands clients send,
 * leaving out those a Lua script runs (MONITOR marks them "lua") and the INFO of ioredis's ready
 * check, which every contender's connection sends alike.
 */
async function watchCommands(url: string): Promise<{ stop(): Promise<Map<string, number>> }> {
  // `monitor()` opens a connection of its own. The client it is called on never connects
  // (lazyConnect): connected, it would be left open, and its ready check could reach the server
  // in the instant MONITOR starts, which ioredis 5 then fails as a "Command queue state error".
  const monitor = await new Redis(url, { lazyConnect: true }).monitor();
  const counts = new Map<string, number>();
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    const name = String(args[0]).toLowerCase();
    if (source === "lua" || name === "info") return;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  return {
    async stop() {
      // MONITOR lines trail the commands by a moment.
      await new Promise((resolve) => setTimeout(resolve, 50));
      monitor.disconnect();
      return counts;
    },
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const contendersOf = (settings: Settings) => coldStartContenders.filter((name) => selected(settings, name));

export const coldStartSteps = (settings: Settings): number => contendersOf(settings).length * 2;

let runNumber = 0;

async function firstDecisionRun(
  targets: RedisTargets,
  contender: ColdStartContender,
): Promise<{ commands: Map<string, number>; decisionMs: number; processMs: number }> {
  const watch = await watchCommands(targets.url);
  const { stdout } = await execFileAsync(process.execPath, ["--import", "tsx", worker], {
    cwd: root,
    env: { ...process.env, REDIS_URL: targets.url, CONTENDER: contender, QUOTA: `cold-${++runNumber}` },
  });
  const commands = await watch.stop();
  const { decisionMs, processMs } = JSON.parse(stdout) as { decisionMs: number; processMs: number };
  return { commands, decisionMs, processMs };
}

/** A new process's first decision, against a server that has the scripts and one that has none. */
export async function coldStartSuite(
  targets: RedisTargets,
  settings: Settings,
  progress: Progress,
): Promise<ColdStartRow[]> {
  const rows: ColdStartRow[] = [];
  for (const contender of contendersOf(settings)) {
    for (const scripts of scriptStates) {
      progress.step(`cold start: ${contender}, scripts ${scripts}`);
      const runs = [];
      for (let run = 0; run < settings.coldStartRuns; run++) {
        if (scripts === "not cached (fresh server)") await flushAll(targets, "single", true);
        runs.push(await firstDecisionRun(targets, contender));
      }
      const commands = runs[0]?.commands ?? new Map<string, number>();
      rows.push({
        contender,
        scripts,
        roundTrips: [...commands.values()].reduce((a, b) => a + b, 0),
        commands: [...commands].map(([name, count]) => `${name} ${count}`).join(", "),
        decisionMs: median(runs.map((r) => r.decisionMs)),
        processMs: median(runs.map((r) => r.processMs)),
      });
      progress.done(`cold start: ${contender}, scripts ${scripts}`);
    }
  }
  return rows;
}
