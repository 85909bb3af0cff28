import { formatDuration } from "./format-duration.js";
import type { LimitReport, QuotaReport, StatusReport } from "./status-report.js";

export interface TableContext {
  /** Where the report was read from, password masked. */
  readonly target: string;
  /** Seconds between frames when watching. */
  readonly watchSeconds: number | undefined;
}

/** Epoch ms as ISO; only the time of day when it falls on the same UTC day as `nowMs`. */
function formatTime(ms: number, nowMs: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) === new Date(nowMs).toISOString().slice(0, 10) ? iso.slice(11) : iso;
}

interface Row {
  readonly limit: string;
  readonly used: string;
  readonly free: string;
  readonly waiting: string;
}

const header: Row = { limit: "limit", used: "used", free: "free", waiting: "waiting" };

const rowOf = (limit: LimitReport): Row => ({
  limit: limit.description,
  used: `${limit.used}/${limit.limit}`,
  free: String(limit.available),
  // A token bucket's TAT also moves when another rule reserves a later slot, so its count is an estimate.
  waiting:
    limit.waiting === null
      ? "-"
      : limit.rule.kind === "tokenBucket" && limit.waiting > 0
        ? `~${limit.waiting}`
        : String(limit.waiting),
});

function quotaBlock(quota: QuotaReport, nowMs: number, line: (row: Row) => string): string[] {
  const lines = [JSON.stringify(quota.name)];
  if (quota.limits.length > 0) {
    lines.push(line(header));
    for (const limit of quota.limits) lines.push(line(rowOf(limit)));
  } else {
    lines.push("  no limit state (idle limits keep no key)");
  }
  if (quota.pause) {
    const { until, remainingMs } = quota.pause;
    lines.push(`  paused until ${formatTime(until, nowMs)} (${formatDuration(remainingMs * 1000)} left)`);
  }
  const { count, recent } = quota.rateLimited;
  if (count > 0) {
    const list = recent.map(
      (event) =>
        `${event.at === null ? "?" : formatTime(event.at, nowMs)}${event.status === null ? "" : ` ${event.status}`}`,
    );
    lines.push(`  rate-limited: ${count} noted, newest ${list.join(", ")}`);
  }
  if (quota.otherKeys.length > 0) {
    lines.push(
      `  other keys: ${quota.otherKeys.map((key) => `${JSON.stringify(key.suffix)} (${key.type})`).join(", ")}`,
    );
  }
  return lines;
}

/**
 * The report as a compact table, one block per quota; columns line up across blocks.
 * @example
 * // "search {v2}"
 * //   limit                               used  free  waiting
 * //   slidingWindow 5 per 10 s             5/5     0        2
 */
export function renderTable(report: StatusReport, context: TableContext): string {
  const every = context.watchSeconds === undefined ? "" : ` · every ${context.watchSeconds} s, Ctrl-C to stop`;
  const title = `sluice status · prefix ${JSON.stringify(report.prefix)} · ${context.target} · ${new Date(report.redisTime).toISOString()}${every}`;
  if (report.quotas.length === 0) return `${title}\n\nno quotas under prefix ${JSON.stringify(report.prefix)}\n`;
  const rows = [header, ...report.quotas.flatMap((quota) => quota.limits.map(rowOf))];
  const width = (column: keyof Row): number => Math.max(...rows.map((row) => row[column].length));
  const [limit, used, free, waiting] = [width("limit"), width("used"), width("free"), width("waiting")];
  const line = (row: Row): string =>
    `  ${row.limit.padEnd(limit)}  ${row.used.padStart(used)}  ${row.free.padStart(free)}  ${row.waiting.padStart(waiting)}`;
  const blocks = report.quotas.map((quota) => quotaBlock(quota, report.redisTime, line).join("\n"));
  const count = `${report.quotas.length} ${report.quotas.length === 1 ? "quota" : "quotas"}`;
  return `${title}\n${count}\n\n${blocks.join("\n\n")}\n`;
}
