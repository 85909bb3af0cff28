import type { ColdStartRow } from "../cold-start/cold-start-suite.js";
import type { Machine } from "../machine.js";
import type { MemoryRow } from "../memory/memory-suite.js";
import type { Settings } from "../settings.js";
import type { ShareRow } from "../sharing/sharing-suite.js";
import type { ThroughputRow } from "../throughput/throughput-suite.js";

export interface Report {
  readonly command: string;
  readonly date: string;
  readonly elapsedSeconds: number;
  readonly machine: Machine;
  readonly redisSource: string;
  readonly settings: Settings;
  readonly throughput: readonly ThroughputRow[];
  readonly sharing: readonly ShareRow[];
  readonly memory: readonly MemoryRow[];
  readonly coldStart: readonly ColdStartRow[];
  /** Sections that failed, with the error: their figures are missing, not made up. */
  readonly errors: readonly string[];
}

const fixed = (value: number, digits = 0): string =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const table = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");

function throughputTables(rows: readonly ThroughputRow[]): string {
  const groups = new Map<string, ThroughputRow[]>();
  for (const row of rows) {
    const title = `${row.topology === "single" ? "Single Redis" : "3-master Cluster"}, ${
      row.workload === "distinct" ? "distinct keys" : "one hot quota"
    }, ${row.inFlight} in flight`;
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

function sharingTable(rows: readonly ShareRow[]): string {
  return table(
    [
      "contender",
      "processes",
      "run",
      "sent",
      "429s",
      "worst window (arrivals)",
      "worst window (limiter's slots)",
      "arrival after slot, ms (median / most)",
      "utilisation",
      "time to finish (ideal)",
      "note",
    ],
    rows.map((row) => [
      row.contender,
      String(row.processes),
      row.variant,
      String(row.sent),
      String(row.rejected),
      `${row.worstWindow}/${row.limit}`,
      row.worstWindowLimiterClock === undefined ? "n/a: no slot times" : `${row.worstWindowLimiterClock}/${row.limit}`,
      row.arrivalLagMs === undefined
        ? "n/a: no slot times"
        : `${row.arrivalLagMs.p50.toFixed(1)} / ${row.arrivalLagMs.max.toFixed(1)}`,
      percent(row.utilisation),
      `${fixed(row.elapsedMs)} ms (${fixed(row.idealMs)})`,
      [row.finished ? "" : "did not finish", row.failure ?? ""].filter(Boolean).join("; "),
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

export function markdown(report: Report): string {
  const { machine, settings } = report;
  return `# Sluice benchmarks

\`${report.command}\` on ${report.date}, ${fixed(report.elapsedSeconds)} s. Machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}, Redis ${machine.redis} (${report.redisSource}). ${settings.quick ? "**Quick smoke run: figures are rough.**" : ""}

Ratios are what to read: every contender ran in the same run, on the same Redis, over an ioredis connection with the same settings. n/a means the contender cannot do the scenario; the reason is given. "passes/s" lists every pass: their spread is the machine's noise.
${report.errors.length > 0 ? `\n**Sections that failed (their figures are missing):**\n\n${report.errors.map((e) => `- ${e}`).join("\n")}\n` : ""}
## 1. Decision throughput and latency

Each pass keeps N decisions in flight for ${settings.passMs} ms after a ${settings.warmupMs} ms warm-up; best of ${settings.repeats} interleaved passes. "vs physical limit" divides by the one-key INCR+PEXPIRE script measured in the same scenario.

${throughputTables(report.throughput)}

## 2. Sharing one quota across processes

A strict local API (exact sliding window, ${settings.shareLimit} per ${settings.shareWindowMs} ms, judged on arrival, 429 otherwise). The job: ${settings.shareJob} accepted requests split over the processes, 4 in flight per process; a 429 is retried through the limiter. Each contender's processes are started once for all its runs and first send ${settings.shareWarmupRequests} requests each through its limiter on a quota of its own (uncounted), so the runs meet running services, not cold code. Worst window (arrivals): most requests that reached the server in any ${settings.shareWindowMs} ms; (limiter's slots): the same over the slot times the limiter handed out, on its own clock (only Sluice reports them). Arrival after slot: how long after the slot the limiter handed out a request reached the server, on this machine's clock (Redis's TIME and Node's \`performance.timeOrigin\` both read it); a margin shorter than this lag lets a window's requests reach the server inside the next one. Utilisation: accepted / what the window allowed between the first and the last accepted request. Clock skew: every second process's \`Date.now\` runs 2 s ahead. Cron-style: a process begins every 0.6 window and stops when its share is done.

${sharingTable(report.sharing)}

## 3. Redis memory per active quota

${fixed(settings.memoryKeys)} quotas of 100 per minute, ${settings.memoryDecisionsPerKey} decisions each (64 in flight, spread over the quotas), single Redis, measured right after the last decision. Keys per quota counts every key a contender leaves, short-lived ones included.

${memoryTable(report.memory)}

## 4. Cold start: a new process's first decision

Round trips are the commands the new process sent, seen by \`MONITOR\` on a side connection (commands run inside a script and ioredis's \`INFO\` ready check, the same for all, left out). Single Redis. Median of ${settings.coldStartRuns} process(es).

${coldStartTable(report.coldStart)}
`;
}
