import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "@upstash/redis";
import { startUpstashEndpoint, type UpstashEndpoint } from "../../tools/upstash-endpoint.js";
import { type ScriptState, scriptStates } from "../cold-start/cold-start-suite.js";
import type { Progress } from "../progress.js";
import { flushAll, type RedisTargets } from "../redis-targets.js";
import { type Settings, selected } from "../settings.js";
import { measurePass, type PassResult } from "../throughput/measure-pass.js";
import {
  coldStartContenders,
  loadServerlessContender,
  type ServerlessContender,
  serverlessContenders,
} from "./serverless-contenders.js";

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const worker = fileURLToPath(new URL("./first-decision-worker.ts", import.meta.url));

/** Decisions per second and per HTTP request with N decisions in flight in one warm instance. */
export interface ServerlessRateRow {
  readonly measure: "rate";
  readonly contender: ServerlessContender;
  readonly inFlight: number;
  /** The pass with the most decisions per second. */
  readonly best: PassResult;
  /** HTTP requests the endpoint received during the best pass. */
  readonly requests: number;
  /** Decisions per second of every pass, in order. */
  readonly passes: readonly number[];
}

/** A new instance's first decision (median of the runs; requests from the first run). */
export interface ServerlessColdStartRow {
  readonly measure: "cold start";
  readonly contender: ServerlessContender;
  readonly scripts: ScriptState;
  /** HTTP requests until the first decision, counted at the endpoint. */
  readonly requests: number;
  /** Those requests by path, e.g. `/pipeline 2`. */
  readonly paths: string;
  /** Bytes of the request bodies the instance sent. */
  readonly bytesSent: number;
  /** From the client's creation to decided, ms. */
  readonly decisionMs: number;
  /** From the process's start (module loading included) to decided, ms. */
  readonly processMs: number;
}

export type ServerlessRow = ServerlessRateRow | ServerlessColdStartRow;

const rateContendersOf = (settings: Settings) => serverlessContenders.filter((name) => selected(settings, name));
const coldContendersOf = (settings: Settings) => coldStartContenders.filter((name) => selected(settings, name));

export const serverlessSteps = (settings: Settings): number =>
  rateContendersOf(settings).length * settings.inFlight.length * settings.repeats +
  coldContendersOf(settings).length * scriptStates.length;

let passNumber = 0;

/** One pass on a fresh client (auto-pipelining on, its default), after a warm-up on it. */
async function ratePass(
  endpoint: UpstashEndpoint,
  contender: ServerlessContender,
  inFlight: number,
  settings: Settings,
): Promise<{ result: PassResult; requests: number }> {
  const makeDecider = await loadServerlessContender(contender);
  const redis = new Redis({ url: endpoint.url, token: endpoint.token });
  const decider = makeDecider(redis, `sl${++passNumber}`);
  try {
    await measurePass(decider.decide, (i) => `w${i}`, inFlight, settings.warmupMs);
    const before = endpoint.stats.requests;
    const result = await measurePass(decider.decide, (i) => `k${i}`, inFlight, settings.passMs);
    return { result, requests: endpoint.stats.requests - before };
  } finally {
    await decider.close?.();
  }
}

async function rateRows(endpoint: UpstashEndpoint, settings: Settings, progress: Progress): Promise<ServerlessRow[]> {
  const rows: ServerlessRow[] = [];
  for (const inFlight of settings.inFlight) {
    // Interleaved, as in the throughput section: a slow spell of the machine hits every contender.
    const passes = new Map<ServerlessContender, Array<{ result: PassResult; requests: number }>>();
    for (let round = 0; round < settings.repeats; round++) {
      for (const contender of rateContendersOf(settings)) {
        const label = `serverless ${inFlight} in flight: ${contender}`;
        progress.step(label);
        passes.set(contender, [
          ...(passes.get(contender) ?? []),
          await ratePass(endpoint, contender, inFlight, settings),
        ]);
        progress.done(label);
      }
    }
    for (const [contender, runs] of passes) {
      const best = runs.reduce((a, b) => (b.result.perSecond > a.result.perSecond ? b : a));
      rows.push({
        measure: "rate",
        contender,
        inFlight,
        best: best.result,
        requests: best.requests,
        passes: runs.map((run) => Math.round(run.result.perSecond)),
      });
    }
  }
  return rows;
}

let coldRun = 0;

async function firstDecisionRun(endpoint: UpstashEndpoint, contender: ServerlessContender) {
  endpoint.resetStats();
  const { stdout } = await execFileAsync(process.execPath, ["--import", "tsx", worker], {
    cwd: root,
    env: {
      ...process.env,
      UPSTASH_URL: endpoint.url,
      UPSTASH_TOKEN: endpoint.token,
      CONTENDER: contender,
      QUOTA: `cold-${++coldRun}`,
    },
  });
  const { requests, byPath } = endpoint.stats;
  const figures = JSON.parse(stdout) as { processMs: number; decisionMs: number; bytesSent: number };
  return { requests, paths: { ...byPath }, ...figures };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function coldStartRows(
  endpoint: UpstashEndpoint,
  targets: RedisTargets,
  settings: Settings,
  progress: Progress,
): Promise<ServerlessRow[]> {
  const rows: ServerlessRow[] = [];
  for (const contender of coldContendersOf(settings)) {
    // The runs after SCRIPT FLUSH come first and leave the scripts loaded for the cached ones.
    for (const scripts of scriptStates) {
      const label = `serverless cold start: ${contender}, scripts ${scripts}`;
      progress.step(label);
      const runs = [];
      for (let run = 0; run < settings.coldStartRuns; run++) {
        if (scripts === "not cached (fresh server)") await flushAll(targets, "single", true);
        runs.push(await firstDecisionRun(endpoint, contender));
      }
      const [first] = runs;
      if (first !== undefined) {
        rows.push({
          measure: "cold start",
          contender,
          scripts,
          requests: first.requests,
          paths: Object.entries(first.paths)
            .map(([path, count]) => `${path} ${count}`)
            .join(", "),
          bytesSent: first.bytesSent,
          decisionMs: median(runs.map((r) => r.decisionMs)),
          processMs: median(runs.map((r) => r.processMs)),
        });
      }
      progress.done(label);
    }
  }
  return rows;
}

/**
 * Sluice over `@upstash/redis` against `@upstash/ratelimit` on the same client, through one local
 * Upstash REST endpoint in front of the single Redis: decisions per second and per HTTP request
 * in a warm instance, and the requests a new instance's first decision takes.
 */
export async function serverlessSuite(
  targets: RedisTargets,
  settings: Settings,
  progress: Progress,
): Promise<ServerlessRow[]> {
  await flushAll(targets, "single");
  const endpoint = await startUpstashEndpoint({ redisUrl: targets.url });
  try {
    return [
      ...(await rateRows(endpoint, settings, progress)),
      ...(await coldStartRows(endpoint, targets, settings, progress)),
    ];
  } finally {
    await endpoint.close();
  }
}
