import type { Contender, Scenario, Workload } from "../contenders/contender.js";
import { physicalLimit } from "../contenders/physical-limit.js";
import { rateLimiterFlexible } from "../contenders/rate-limiter-flexible.js";
import { sluiceContenders } from "../contenders/sluice.js";
import { upstashContenders } from "../contenders/upstash.js";
import type { Progress } from "../progress.js";
import { connect, flushAll, masters, type RedisTargets, ready } from "../redis-targets.js";
import { type Settings, selected } from "../settings.js";

export interface ServerCostRow {
  readonly workload: Workload;
  readonly contender: string;
  /** Decisions measured per pass, one at a time. */
  readonly decisions?: number;
  /** Server µs per decision of every pass, in order: the time Redis spent running the decision's scripts. */
  readonly passes?: readonly number[];
  /** The least of the passes (noise only ever adds to it). */
  readonly usPerDecision?: number;
  /** Script calls per decision, in the best pass (1 for a limiter that decides in one script call). */
  readonly commandsPerDecision?: number;
  /** µs per call of each command of the best pass (`evalsha`, and those its scripts called), from `INFO commandstats`. */
  readonly commands?: Readonly<Record<string, { readonly calls: number; readonly usPerCall: number }>>;
  readonly na?: string;
}

/**
 * Every contender that decides with one script call (or a few) per decision: the physical limit,
 * Sluice's algorithms with coalescing off (one decision per call, as on a Cluster with distinct
 * keys) and the Redis peers. Bottleneck keeps timers and a subscription per limiter: its
 * commands are not one decision's.
 */
export const serverCostContenders: readonly Contender[] = [
  physicalLimit,
  ...sluiceContenders(false),
  rateLimiterFlexible,
  ...upstashContenders(),
];

const contendersOf = (settings: Settings) => serverCostContenders.filter((c) => selected(settings, c.name));

export function serverCostSteps(settings: Settings): number {
  return 2 * contendersOf(settings).length * settings.repeats;
}

/** Commands a benchmark pass sends besides the decisions: connecting and reading the stats. */
const overhead = new Set(["info", "config|resetstat", "config", "client|setname", "client", "hello", "select", "ping"]);

/**
 * Commands that run a script. Redis counts the commands a script calls under their own names
 * as well, and within the script's time: a decision costs what its script commands cost (every
 * contender here decides in scripts), the others are listed only to show where the time goes.
 */
const scriptCommands = new Set(["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"]);

/** `INFO commandstats` as calls and µs per command (`cmdstat_evalsha:calls=2,usec=30,…`). */
export function commandStats(info: string): Record<string, { calls: number; usec: number }> {
  const stats: Record<string, { calls: number; usec: number }> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    const [, name = "", calls = "0", usec = "0"] = match;
    if (!overhead.has(name)) stats[name] = { calls: Number(calls), usec: Number(usec) };
  }
  return stats;
}

interface Pass {
  readonly usPerDecision: number;
  readonly commandsPerDecision: number;
  readonly commands: Record<string, { calls: number; usPerCall: number }>;
}

let passNumber = 0;

/**
 * One pass: a warm-up (the script loaded, the connection ready), `CONFIG RESETSTAT`, then
 * `decisions` decisions one at a time, then the time Redis spent on their commands.
 */
async function runPass(
  targets: RedisTargets,
  contender: Contender,
  workload: Workload,
  decisions: number,
): Promise<Pass> {
  const [admin] = masters(targets, "single");
  const redis = connect(targets, "single");
  try {
    await ready(redis);
    const scenario: Scenario = { topology: "single", workload, prefix: `sc${++passNumber}` };
    const decider = await contender.create(redis, scenario);
    const keyOf = (name: string) => (workload === "hot" ? () => "hot" : (i: number) => `${name}${i}`);
    try {
      const warm = keyOf("w");
      for (let i = 0; i < Math.min(1_000, decisions / 10); i++) await decider.decide(warm(i));
      await admin?.config("RESETSTAT");
      const key = keyOf("k");
      for (let i = 0; i < decisions; i++) await decider.decide(key(i));
      const stats = commandStats((await admin?.info("commandstats")) ?? "");
      const scripts = Object.entries(stats).filter(([name]) => scriptCommands.has(name));
      const usec = scripts.reduce((sum, [, s]) => sum + s.usec, 0);
      const calls = scripts.reduce((sum, [, s]) => sum + s.calls, 0);
      const commands = Object.fromEntries(
        Object.entries(stats).map(([name, s]) => [name, { calls: s.calls, usPerCall: s.usec / s.calls }]),
      );
      return { usPerDecision: usec / decisions, commandsPerDecision: calls / decisions, commands };
    } finally {
      await decider.close?.();
    }
  } finally {
    redis.disconnect();
    admin?.disconnect();
  }
}

/**
 * The time Redis spends per decision, from `INFO commandstats`, one decision at a time on the
 * single Redis: what a limiter's script costs the server, apart from round trips and the
 * client. On a Cluster with distinct keys every call is one decision, so this bounds the rate.
 * Passes are interleaved, and the least of each contender's passes counts.
 */
export async function serverCostSuite(
  targets: RedisTargets,
  settings: Settings,
  progress: Progress,
): Promise<ServerCostRow[]> {
  const rows: ServerCostRow[] = [];
  for (const workload of ["distinct", "hot"] as const) {
    await flushAll(targets, "single");
    const passes = new Map<Contender, Pass[]>();
    for (let round = 0; round < settings.repeats; round++) {
      for (const contender of contendersOf(settings)) {
        const label = `server cost ${workload}: ${contender.name}`;
        progress.step(label);
        if (contender.unsupported({ topology: "single", workload, prefix: "" }) === undefined) {
          const pass = await runPass(targets, contender, workload, settings.serverCostDecisions);
          passes.set(contender, [...(passes.get(contender) ?? []), pass]);
        }
        progress.done(label);
      }
    }
    for (const contender of contendersOf(settings)) {
      const done = passes.get(contender) ?? [];
      const best = done.reduce<Pass | undefined>(
        (a, b) => (a === undefined || b.usPerDecision < a.usPerDecision ? b : a),
        undefined,
      );
      if (best === undefined) {
        const na = contender.unsupported({ topology: "single", workload, prefix: "" });
        rows.push({ workload, contender: contender.name, na: na ?? "did not run" });
        continue;
      }
      rows.push({
        workload,
        contender: contender.name,
        decisions: settings.serverCostDecisions,
        passes: done.map((p) => p.usPerDecision),
        usPerDecision: best.usPerDecision,
        commandsPerDecision: best.commandsPerDecision,
        commands: best.commands,
      });
    }
  }
  return rows;
}
