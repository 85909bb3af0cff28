import type { ColdStartRow } from "../cold-start/cold-start-suite.js";
import type { MemoryRow } from "../memory/memory-suite.js";
import type { ServerCostRow } from "../server-cost/server-cost-suite.js";
import type { ServerlessColdStartRow, ServerlessRateRow, ServerlessRow } from "../serverless/serverless-suite.js";
import type { ArrivalRow } from "../sharing/arrival-suite.js";
import type { ShareRow } from "../sharing/share-run.js";
import type { ThroughputRow } from "../throughput/throughput-suite.js";
import { fixed, percent, scenarioTitle, table, when } from "./format.js";
import type { Report } from "./report.js";

// Rows are told apart by their contender's name: the physical limit, Sluice, or a peer (every
// other library or per-process pattern).
const isFloor = (name: string): boolean => name.startsWith("physical limit");
const isSluice = (name: string): boolean => name.startsWith("Sluice");
const isPeer = (name: string): boolean => !isFloor(name) && !isSluice(name);

/** The row `better` prefers over every other; undefined for none. */
function best<T>(rows: readonly T[], better: (a: T, b: T) => boolean): T | undefined {
  return rows.reduce<T | undefined>((top, row) => (top === undefined || better(row, top) ? row : top), undefined);
}

function throughputCell(row: ThroughputRow | undefined, name: (contender: string) => string): string {
  if (row?.best === undefined) return "n/a";
  const perSecond = `${fixed(row.best.perSecond)}/s`;
  return `${row.ratio === undefined ? perSecond : `${row.ratio.toFixed(2)}× (${perSecond})`}, ${name(row.contender)}`;
}

function throughputSummary(rows: readonly ThroughputRow[]): string | undefined {
  const scenarios = new Map<string, ThroughputRow[]>();
  for (const row of rows) scenarios.set(scenarioTitle(row), [...(scenarios.get(scenarioTitle(row)) ?? []), row]);
  if (scenarios.size === 0) return undefined;
  const fastest = (group: readonly ThroughputRow[], family: (name: string) => boolean) =>
    best(
      group.filter((row) => family(row.contender) && row.best !== undefined),
      (a, b) => (a.best?.perSecond ?? 0) > (b.best?.perSecond ?? 0),
    );
  const body = [...scenarios].map(([title, group]) => {
    const floor = fastest(group, isFloor)?.best;
    return [
      title,
      floor === undefined ? "n/a" : `${fixed(floor.perSecond)}/s`,
      throughputCell(fastest(group, isSluice), (name) => name.replace(/^Sluice /, "")),
      throughputCell(fastest(group, isPeer), (name) => name),
    ];
  });
  return table(["decisions per second (section 1)", "physical limit", "Sluice, its best rule", "best peer"], body);
}

const shareFigures = (row: ShareRow): string =>
  `${row.rejected} × 429, ${percent(row.utilisation)} utilisation${row.finished ? "" : " (did not finish)"}`;

function sharingSummary(rows: readonly ShareRow[], report: Report): string | undefined {
  const plain = rows.filter((r) => r.variant === "together" && r.kind === "sliding window" && r.foreignShare === 0);
  const processes = Math.max(...plain.map((r) => r.processes));
  const run = plain.filter((r) => r.processes === processes);
  if (run.length === 0) return undefined;
  const untuned = run.filter((r) => r.contender.startsWith("Sluice default"));
  // The best peer: one that finished, then the fewest 429s, then the most of the quota used.
  const peer = best(
    run.filter((r) => isPeer(r.contender)),
    (a, b) =>
      a.finished !== b.finished
        ? a.finished
        : a.rejected !== b.rejected
          ? a.rejected < b.rejected
          : a.utilisation > b.utilisation,
  );
  const { shareLimit, shareWindowMs, shareJob } = report.settings;
  return `- **Sharing** one API quota of ${shareLimit} per ${fixed(shareWindowMs)} ms among ${processes} processes, a job of ${shareJob} (section 2): ${[
    ...untuned.map((r) => `${r.contender} ${shareFigures(r)}`),
    ...(peer === undefined ? [] : [`best peer, ${peer.contender}: ${shareFigures(peer)}`]),
  ].join("; ")}.`;
}

function arrivalSummary(rows: readonly ArrivalRow[]): string | undefined {
  if (rows.length === 0) return undefined;
  const contenders = [...new Set(rows.map((r) => r.contender))];
  const met = contenders.map((contender) => {
    const own = rows.filter((r) => r.contender === contender);
    return `${contender} ${own.filter((r) => r.misses.length === 0).length} of ${own.length}`;
  });
  return `- **Arrival criteria** of untuned Sluice, runs that met every one (section 3): ${met.join("; ")}.`;
}

function serverCostSummary(rows: readonly ServerCostRow[]): string | undefined {
  const distinct = rows.filter((r) => r.workload === "distinct" && r.usPerDecision !== undefined);
  const cheapest = (family: (name: string) => boolean) =>
    best(
      distinct.filter((r) => family(r.contender)),
      (a, b) => (a.usPerDecision ?? 0) < (b.usPerDecision ?? 0),
    );
  const said = [
    ...distinct.filter((r) => isSluice(r.contender)),
    ...[cheapest(isPeer), cheapest(isFloor)].filter((row) => row !== undefined),
  ].map((row) => `${row.contender} ${(row.usPerDecision ?? 0).toFixed(1)} µs`);
  return said.length === 0
    ? undefined
    : `- **Server time per decision**, distinct keys, one at a time (section 1): ${said.join("; ")}.`;
}

function memorySummary(rows: readonly MemoryRow[]): string | undefined {
  const least = (family: (name: string) => boolean) =>
    best(
      rows.filter((r) => family(r.contender)),
      (a, b) => a.memoryUsagePerQuota < b.memoryUsagePerQuota,
    );
  const said = [least(isSluice), least(isPeer), least(isFloor)]
    .filter((row) => row !== undefined)
    .map((row) => `${row.contender} ${fixed(row.memoryUsagePerQuota)} B (${row.guarantee})`);
  return said.length === 0
    ? undefined
    : `- **Redis memory** per active quota, the least of each (section 4): ${said.join("; ")}.`;
}

function coldStartSummary(rows: readonly ColdStartRow[]): string | undefined {
  const fresh = rows.filter((r) => r.scripts === "not cached (fresh server)");
  const fewest = (family: (name: string) => boolean) =>
    best(
      fresh.filter((r) => family(r.contender)),
      (a, b) => a.roundTrips < b.roundTrips,
    );
  const said = [fewest(isSluice), fewest(isPeer), fewest(isFloor)]
    .filter((row) => row !== undefined)
    .map((row) => `${row.contender} ${row.roundTrips} (${row.commands})`);
  return said.length === 0
    ? undefined
    : `- **Cold start**, round trips of a new process's first decision on a server without the scripts (section 5): ${said.join("; ")}.`;
}

const perRequest = (row: ServerlessRateRow): string =>
  row.requests === 0 ? "n/a" : (row.best.decisions / row.requests).toFixed(1);

function serverlessSummary(rows: readonly ServerlessRow[]): string | undefined {
  const rate = rows.filter((r) => r.measure === "rate");
  const cold = rows.filter((r) => r.measure === "cold start");
  const inFlight = Math.max(...rate.map((r) => r.inFlight));
  const fastest = (family: (name: string) => boolean) =>
    best(
      rate.filter((r) => r.inFlight === inFlight && family(r.contender)),
      (a, b) => a.best.perSecond > b.best.perSecond,
    );
  const warm = [fastest(isSluice), fastest(isPeer)]
    .filter((row) => row !== undefined)
    .map((row) => `${row.contender} ${perRequest(row)} decisions per request (${fixed(row.best.perSecond)}/s)`);
  const requestsOf = (contender: string, scripts: ServerlessColdStartRow["scripts"]) =>
    cold.find((r) => r.contender === contender && r.scripts === scripts)?.requests ?? "n/a";
  const first = [...new Set(cold.map((r) => r.contender))].map(
    (contender) =>
      `${contender} ${requestsOf(contender, "cached (another process ran it)")} / ${requestsOf(contender, "not cached (fresh server)")}`,
  );
  const said = [
    ...(warm.length === 0 ? [] : [`at ${inFlight} in flight, ${warm.join(", ")}`]),
    ...(first.length === 0
      ? []
      : [`HTTP requests of a new instance's first decision, scripts cached / flushed: ${first.join(", ")}`]),
  ];
  return said.length === 0
    ? undefined
    : `- **Serverless**, over one local Upstash REST endpoint (section 6): ${said.join("; ")}.`;
}

/**
 * What a reader choosing a limiter reads first: for each headline figure, Sluice's against the
 * best peer's and the physical limit's, from the same rows as the tables below it.
 */
export function summary(report: Report): string {
  const { machine } = report;
  const run = `\`${report.command}\` on ${when(report.date)}, ${fixed(report.elapsedSeconds)} s, ${machine.cores} × ${machine.cpu}, Node ${machine.node}, Redis ${machine.redis}.`;
  return [
    "## Summary",
    report.settings.quick ? `${run} **A quick smoke run: its figures are rough.**` : run,
    throughputSummary(report.throughput),
    [
      serverCostSummary(report.serverCost ?? []),
      sharingSummary(report.sharing, report),
      arrivalSummary(report.arrival),
      memorySummary(report.memory),
      coldStartSummary(report.coldStart),
      serverlessSummary(report.serverless ?? []),
    ]
      .filter((line) => line !== undefined)
      .join("\n"),
  ]
    .filter((part) => part !== undefined && part !== "")
    .join("\n\n");
}
