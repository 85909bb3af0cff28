import type { ColdStartRow } from "../cold-start/cold-start-suite.js";
import type { Machine } from "../machine.js";
import type { MemoryRow } from "../memory/memory-suite.js";
import type { ServerCostRow } from "../server-cost/server-cost-suite.js";
import type { ServerlessColdStartRow, ServerlessRateRow, ServerlessRow } from "../serverless/serverless-suite.js";
import type { Section, Settings } from "../settings.js";
import type { ArrivalRow } from "../sharing/arrival-suite.js";
import type { ShareRow } from "../sharing/share-run.js";
import type { ThroughputRow } from "../throughput/throughput-suite.js";
import { fixed, percent, scenarioTitle, table, when } from "./format.js";
import { summary } from "./summary.js";

export interface Report {
  readonly command: string;
  readonly date: string;
  readonly elapsedSeconds: number;
  /** How long each section that ran took (absent from reports written before it was recorded). */
  readonly sectionSeconds?: Readonly<Partial<Record<Section, number>>>;
  readonly machine: Machine;
  readonly redisSource: string;
  readonly settings: Settings;
  readonly throughput: readonly ThroughputRow[];
  /** Server µs per decision (absent from reports written before it was measured). */
  readonly serverCost?: readonly ServerCostRow[];
  readonly sharing: readonly ShareRow[];
  readonly arrival: readonly ArrivalRow[];
  readonly memory: readonly MemoryRow[];
  readonly coldStart: readonly ColdStartRow[];
  /** Sluice and @upstash/ratelimit over HTTP (absent from reports written before it was measured). */
  readonly serverless?: readonly ServerlessRow[];
  /** Sections that failed, with the error: their figures are missing, not made up. */
  readonly errors: readonly string[];
}

function throughputTables(rows: readonly ThroughputRow[]): string {
  const groups = new Map<string, ThroughputRow[]>();
  for (const row of rows) {
    const title = scenarioTitle(row);
    groups.set(title, [...(groups.get(title) ?? []), row]);
  }
  return [...groups]
    .map(([title, group]) => {
      const body = group.map((row) =>
        row.best === undefined
          ? [row.contender, "n/a", "n/a", "n/a", "n/a", row.na ?? ""]
          : [
              row.contender,
              row.ratio === undefined ? "n/a" : `**${row.ratio.toFixed(2)}×**`,
              fixed(row.best.perSecond),
              row.best.p50Ms.toFixed(2),
              row.best.p99Ms.toFixed(2),
              `passes/s: ${(row.passes ?? []).map((p) => fixed(p)).join(", ")}`,
            ],
      );
      return `#### ${title}\n\n${table(["contender", "vs physical limit", "decisions/s", "p50 ms", "p99 ms", "note"], body)}`;
    })
    .join("\n\n");
}

/** The commands of a decision as `evalsha 7.9 µs`, most calls first. */
const commandsOf = (row: ServerCostRow): string =>
  Object.entries(row.commands ?? {})
    .sort(([, a], [, b]) => b.calls - a.calls)
    .map(([name, c]) => `${name} ${c.usPerCall.toFixed(1)} µs × ${fixed(c.calls)}`)
    .join(", ");

function serverCostTable(rows: readonly ServerCostRow[]): string {
  return table(
    [
      "contender",
      "workload",
      "server µs per decision",
      "script calls per decision",
      "µs per call (calls)",
      "passes, µs",
    ],
    rows.map((row) =>
      row.usPerDecision === undefined
        ? [row.contender, row.workload, "n/a", "n/a", row.na ?? "", ""]
        : [
            row.contender,
            row.workload === "distinct" ? "distinct keys" : "one hot quota",
            `**${row.usPerDecision.toFixed(1)}**`,
            (row.commandsPerDecision ?? 0).toFixed(2),
            commandsOf(row),
            (row.passes ?? []).map((p) => p.toFixed(1)).join(", "),
          ],
    ),
  );
}

/** The server-cost table under section 1, when the run measured it. */
function serverCostSection(report: Report): string {
  const rows = report.serverCost ?? [];
  if (rows.length === 0) return "";
  return `

### Server time per decision

What each decision costs Redis itself, apart from round trips and the client: \`CONFIG RESETSTAT\`, then ${fixed(report.settings.serverCostDecisions)} decisions one at a time on the single Redis, then \`INFO commandstats\`: the time in the scripts the decisions ran (the commands a script calls are counted within it, and listed apart to show where the time goes); the least of ${report.settings.repeats} interleaved passes. Sluice runs with \`coalesce: false\` and its defaults (a learning arrival margin, 1 ms pacing), one \`tryAcquire\` per call, as on a Cluster with distinct keys.

${serverCostTable(rows)}`;
}

const noSlots = "n/a: no slot times";

/** What the callers saw besides 200s: "none", or each status and how often. */
const callersSaw = (row: ShareRow): string => {
  const seen = Object.entries(row.callerStatuses).map(([status, n]) => `${n} × ${status}`);
  return seen.length === 0 ? "only 200s" : seen.join(", ");
};

const learnedFigures = (row: ShareRow): string =>
  row.learned === undefined ? "n/a: fixed" : `${row.learned.marginMs.toFixed(1)} ms / ${percent(row.learned.share)}`;

const settled = (row: ShareRow): string => {
  if (row.learned === undefined) return "n/a: fixed";
  const { settledAfterMs } = row.learned;
  return settledAfterMs === undefined ? "no change" : `${fixed(settledAfterMs)} ms`;
};

const lag = (row: ShareRow): string =>
  row.arrivalLagMs === undefined ? noSlots : `${row.arrivalLagMs.p50.toFixed(1)} / ${row.arrivalLagMs.max.toFixed(1)}`;

const steady = (use: number | undefined): string => (use === undefined ? "n/a: under 2 s" : percent(use));

function sharingTable(rows: readonly ShareRow[]): string {
  return table(
    [
      "contender",
      "processes",
      "run",
      "sent",
      "429s (after 2 s)",
      "worst window (arrivals)",
      "worst window (limiter's slots)",
      "arrival after slot, ms (median / most)",
      "utilisation",
      "steady use",
      "callers saw",
      "learned margin / share",
      "settled after",
      "time to finish (ideal)",
      "note",
    ],
    rows.map((row) => [
      row.contender,
      String(row.processes),
      row.variant,
      String(row.sent),
      `${row.rejected} (${row.rejectedLate})`,
      `${row.worstWindow}/${row.limit}`,
      row.worstWindowLimiterClock === undefined ? noSlots : `${row.worstWindowLimiterClock}/${row.limit}`,
      lag(row),
      percent(row.utilisation),
      steady(row.steadyUse),
      callersSaw(row),
      learnedFigures(row),
      settled(row),
      `${fixed(row.elapsedMs)} ms (${row.idealMs === undefined ? "n/a" : fixed(row.idealMs)})`,
      [row.finished ? "" : "did not finish", row.failure ?? ""].filter(Boolean).join("; "),
    ]),
  );
}

function arrivalTable(rows: readonly ArrivalRow[]): string {
  return table(
    [
      "contender",
      "processes",
      "server's limit",
      "client outside Sluice",
      "429s: first 2 s / after",
      "Sluice's requests meeting a 429",
      "steady use: Sluice / outside",
      "callers saw",
      "learned margin / share",
      "settled after",
      "learned from (cause × 429s)",
      "arrival after slot, ms (median / most)",
      "done criteria",
    ],
    rows.map((row) => [
      row.contender,
      String(row.processes),
      row.kind,
      row.foreign === undefined
        ? "none"
        : `${percent(row.foreignShare)} of the limit: ${row.foreign.sent} sent, ${row.foreign.rejected} × 429`,
      `${row.rejected - row.rejectedLate} / ${row.rejectedLate}`,
      `${row.sent === 0 ? "n/a" : percent(row.rejected / row.sent)} of ${row.sent}`,
      `${steady(row.steadyUse)} / ${row.foreign === undefined ? "n/a" : steady(row.foreign.steadyUse)}`,
      callersSaw(row),
      learnedFigures(row),
      settled(row),
      row.learned === undefined
        ? "n/a"
        : Object.entries(row.learned.causes)
            .map(([cause, n]) => `${cause} × ${n}`)
            .join(", ") || "none",
      lag(row),
      row.misses.length === 0 ? "**met**" : `**missed**: ${row.misses.join("; ")}`,
    ]),
  );
}

function memoryTable(rows: readonly MemoryRow[]): string {
  return table(
    [
      "contender",
      "guarantee",
      "quotas",
      "keys per quota",
      "MEMORY USAGE per quota (B)",
      "used_memory per quota (B)",
      "note",
    ],
    rows.map((row) => [
      row.contender,
      row.guarantee,
      fixed(row.quotas),
      fixed(row.keysPerQuota, 1),
      fixed(row.memoryUsagePerQuota),
      fixed(row.usedMemoryPerQuota),
      row.note ?? "",
    ]),
  );
}

function coldStartTable(rows: readonly ColdStartRow[]): string {
  return table(
    [
      "contender",
      "scripts on the server",
      "round trips",
      "commands",
      "connected → decided ms",
      "process start → decided ms",
    ],
    rows.map((row) => [
      row.contender,
      row.scripts,
      String(row.roundTrips),
      row.commands,
      row.decisionMs.toFixed(1),
      fixed(row.processMs),
    ]),
  );
}

function serverlessRateTable(rows: readonly ServerlessRateRow[]): string {
  return table(
    ["contender", "in flight", "decisions per HTTP request", "decisions/s", "p50 ms", "p99 ms", "passes/s"],
    rows.map((row) => [
      row.contender,
      String(row.inFlight),
      row.requests === 0 ? "n/a: no request" : `**${(row.best.decisions / row.requests).toFixed(1)}**`,
      fixed(row.best.perSecond),
      row.best.p50Ms.toFixed(2),
      row.best.p99Ms.toFixed(2),
      row.passes.map((p) => fixed(p)).join(", "),
    ]),
  );
}

function serverlessColdStartTable(rows: readonly ServerlessColdStartRow[]): string {
  return table(
    [
      "contender",
      "scripts on the server",
      "HTTP requests",
      "paths",
      "bytes sent",
      "client made → decided ms",
      "process start → decided ms",
    ],
    rows.map((row) => [
      row.contender,
      row.scripts,
      `**${row.requests}**`,
      row.paths,
      fixed(row.bytesSent),
      row.decisionMs.toFixed(1),
      fixed(row.processMs),
    ]),
  );
}

/** Section 6, when the run measured it. */
function serverlessSection(report: Report): string {
  const rows = report.serverless ?? [];
  if (rows.length === 0) return "";
  const { settings } = report;
  const rate = rows.filter((row) => row.measure === "rate");
  const cold = rows.filter((row) => row.measure === "cold start");
  return `
## 6. Serverless: decisions over HTTP

Both libraries decide through the real \`@upstash/redis\` client (auto-pipelining on, its default) and one local Upstash REST endpoint (\`tools/upstash-endpoint.ts\`, in the benchmark's process) in front of the single Redis; HTTP requests are counted where they arrive. Sluice is \`@sluice/upstash\` \`createLimiter({ redis })\` with its defaults (one row with \`coalesce: true\`: one script call for the acquires waiting together); \`@upstash/ratelimit\` is given the client itself. Every decision is on a quota of its own, limits so large that nothing is denied. A warm instance: a fresh client per pass, N decisions in flight for ${settings.passMs} ms after a ${settings.warmupMs} ms warm-up; best of ${settings.repeats} interleaved passes.

${serverlessRateTable(rate)}

A new instance: a new process makes a client and a limiter and decides once. HTTP requests until decided, with the scripts in Redis (another process ran them) and after \`SCRIPT FLUSH\`; bytes sent: the request bodies (a new Sluice instance sends its script's source with its first call rather than ask whether Redis has it). Median of ${settings.coldStartRuns} process(es).

${serverlessColdStartTable(cold)}
`;
}

const sectionTimes = (report: Report): string => {
  const times = Object.entries(report.sectionSeconds ?? {}).map(([name, seconds]) => `${name} ${fixed(seconds)} s`);
  return times.length === 0 ? "" : ` Sections took: ${times.join(", ")}.`;
};

/** The whole report: the summary first, then every table. */
export function markdown(report: Report): string {
  const { machine, settings } = report;
  const failed =
    report.errors.length > 0
      ? `**Sections that failed (their figures are missing):**\n\n${report.errors.map((e) => `- ${e}`).join("\n")}\n\n`
      : "";
  return `# Sluice benchmarks

${failed}${summary(report)}

## How the figures were made

\`${report.command}\` on ${when(report.date)} (${report.date}), ${fixed(report.elapsedSeconds)} s.${sectionTimes(report)} Machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}, Redis ${machine.redis} (${report.redisSource}).

Ratios are what to read: every contender ran in the same run, on the same Redis, over an ioredis connection with the same settings. n/a means the contender cannot do the scenario; the reason is given. "passes/s" lists every pass: their spread is the machine's noise.

## 1. Decision throughput and latency

Each pass keeps N decisions in flight for ${settings.passMs} ms after a ${settings.warmupMs} ms warm-up; best of ${settings.repeats} interleaved passes. "vs physical limit" divides by the one-key INCR+PEXPIRE script measured in the same scenario.

${throughputTables(report.throughput)}${serverCostSection(report)}

## 2. Sharing one quota across processes

A strict local API (exact sliding window, ${settings.shareLimit} per ${settings.shareWindowMs} ms, judged on arrival, 429 otherwise; every answer carries \`X-RateLimit-Limit/Remaining/Reset\`, a 429 \`Retry-After\`, in whole seconds). The job: ${settings.shareJob} accepted requests split over the processes, 4 in flight per process. The untuned Sluice rows come first: \`createFetch\` and the engine API with \`quota.feedback\` send and retry by themselves; every other contender is a gate, and a 429 is retried through it. Each contender's processes are started once for all its runs and first send ${settings.shareWarmupRequests} requests each through its limiter on a quota of its own (uncounted), so the runs meet running services, not cold code. 429s: all, and in brackets those after the first 2 s of the run. Worst window (arrivals): most requests that reached the server in any ${settings.shareWindowMs} ms; (limiter's slots): the same over the slot times the limiter handed out, on its own clock (Sluice's engine API reports them, createFetch does not). Arrival after slot: how long after the slot the limiter handed out a request reached the server, on this machine's clock (Redis's TIME and Node's \`performance.timeOrigin\` both read it); a margin shorter than this lag lets a window's requests reach the server inside the next one. Utilisation: accepted / what the window allowed between the first and the last accepted request. Steady use: after the first 2 s, the share of the server's window its accepted requests held, averaged over time. Callers saw: statuses other than 200 the code asking for a request got back. Learned margin / share: for untuned Sluice, the figures in force at the end of the run; settled after: from the run's start to the last 429 that changed them. Clock skew: every second process's \`Date.now\` runs 2 s ahead (its events are dated ahead too). Cron-style: a process begins every 0.6 window and stops when its share is done.

${sharingTable(report.sharing)}

## 3. Untuned Sluice against the arrival criteria

The issue's "done" matrix: \`createFetch\` and the engine API with \`quota.feedback\`, configured with exactly the server's limit (${settings.shareLimit} per ${settings.shareWindowMs} ms, as the server counts it: a sliding window, a token bucket of burst 1 or 10, or fixed windows aligned to the epoch) and no tuning option, keep 4 requests in flight per process for ${fixed(settings.arrivalRunMs)} ms. The client outside Sluice sends its share of the limit evenly spaced, straight to the server, and is counted apart. The criteria: 8 processes: at most 3 × 429 in the first 2 s and none after, at least 92% used; 16 processes: at most 2 after the first 2 s, at least 85%; with 25% spent outside: under 3% of Sluice's requests meet a 429, Sluice uses at least 65%; callers see only 200s in every run.

${arrivalTable(report.arrival)}

## 4. Redis memory per active quota

${fixed(settings.memoryKeys)} quotas of 100 per minute, ${settings.memoryDecisionsPerKey} decisions each (64 in flight, spread over the quotas), single Redis, measured right after the last decision. Keys per quota counts every key a contender leaves, short-lived ones included.

${memoryTable(report.memory)}

## 5. Cold start: a new process's first decision

Round trips are the commands the new process sent, seen by \`MONITOR\` on a side connection (commands run inside a script and ioredis's \`INFO\` ready check, the same for all, left out). Single Redis. Median of ${settings.coldStartRuns} process(es).

${coldStartTable(report.coldStart)}
${serverlessSection(report)}`;
}
