import { bottleneckContender } from "../contenders/bottleneck.js";
import type { Contender, Scenario, Workload } from "../contenders/contender.js";
import { physicalLimit } from "../contenders/physical-limit.js";
import { rateLimiterFlexible } from "../contenders/rate-limiter-flexible.js";
import { sluiceContenders } from "../contenders/sluice.js";
import { upstashContenders } from "../contenders/upstash.js";
import type { Progress } from "../progress.js";
import { connect, flushAll, type RedisTargets, ready, type Topology } from "../redis-targets.js";
import { type Settings, selected } from "../settings.js";
import { measurePass, type PassResult } from "./measure-pass.js";

export interface ThroughputRow {
  readonly topology: Topology;
  readonly workload: Workload;
  readonly inFlight: number;
  readonly contender: string;
  /** The best pass (most decisions per second); undefined when the contender cannot run it. */
  readonly best?: PassResult;
  /** Decisions per second of every pass, in order. */
  readonly passes?: readonly number[];
  /** best.perSecond / the physical limit's best.perSecond in the same scenario. */
  readonly ratio?: number;
  readonly na?: string;
}

export const throughputContenders: readonly Contender[] = [
  physicalLimit,
  ...sluiceContenders(true),
  ...sluiceContenders(false),
  rateLimiterFlexible,
  ...upstashContenders(),
  bottleneckContender,
];

const contendersOf = (settings: Settings) => throughputContenders.filter((c) => selected(settings, c.name));

export function throughputSteps(settings: Settings): number {
  const topologies = settings.cluster ? 2 : 1;
  return topologies * 2 * settings.inFlight.length * contendersOf(settings).length * settings.repeats;
}

let passNumber = 0;

async function runPass(
  targets: RedisTargets,
  contender: Contender,
  scenario: Scenario,
  inFlight: number,
  settings: Settings,
): Promise<PassResult> {
  const redis = connect(targets, scenario.topology);
  try {
    await ready(redis);
    const decider = await contender.create(redis, scenario);
    const keyOf = (name: string) => (scenario.workload === "hot" ? () => "hot" : (i: number) => `${name}${i}`);
    try {
      await measurePass(decider.decide, keyOf("w"), inFlight, settings.warmupMs);
      return await measurePass(decider.decide, keyOf("k"), inFlight, settings.passMs);
    } finally {
      await decider.close?.();
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * Decision throughput and latency of every contender in every scenario. Passes are interleaved
 * (each round runs every contender once) so a slow spell of the machine hits all of them alike.
 */
export async function throughputSuite(
  targets: RedisTargets,
  settings: Settings,
  progress: Progress,
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  const topologies: Topology[] = settings.cluster ? ["single", "cluster"] : ["single"];
  for (const topology of topologies) {
    for (const workload of ["distinct", "hot"] as const) {
      for (const inFlight of settings.inFlight) {
        await flushAll(targets, topology);
        const passes = new Map<Contender, PassResult[]>();
        for (let round = 0; round < settings.repeats; round++) {
          for (const contender of contendersOf(settings)) {
            const label = `throughput ${topology} ${workload} ${inFlight} in flight: ${contender.name}`;
            progress.step(label);
            const scenario: Scenario = { topology, workload, prefix: `tp${++passNumber}` };
            if (contender.unsupported(scenario) === undefined) {
              const result = await runPass(targets, contender, scenario, inFlight, settings);
              passes.set(contender, [...(passes.get(contender) ?? []), result]);
            }
            progress.done(label);
          }
        }
        const bestOf = (contender: Contender) =>
          passes.get(contender)?.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
        const floor = bestOf(physicalLimit);
        for (const contender of contendersOf(settings)) {
          const na = contender.unsupported({ topology, workload, prefix: "" });
          const best = bestOf(contender);
          const base = { topology, workload, inFlight, contender: contender.name };
          if (na !== undefined || best === undefined) {
            rows.push({ ...base, na: na ?? "did not run" });
            continue;
          }
          rows.push({
            ...base,
            best,
            passes: (passes.get(contender) ?? []).map((p) => Math.round(p.perSecond)),
            ...(floor === undefined ? {} : { ratio: best.perSecond / floor.perSecond }),
          });
        }
      }
    }
  }
  return rows;
}
