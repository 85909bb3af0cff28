import { ruleKindOf } from "@sluice/core/adapter";
import { formatDuration, trimNumber } from "./format-duration.js";
import type { ArrivalReport, LimitReport, QuotaReport, RateLimitedEntry, StatusReport } from "./status-report.js";

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

/** How long before `nowMs` an epoch ms was, e.g. `12 s ago`; never negative (another master's clock may run ahead). */
const ago = (ms: number, nowMs: number): string => `${formatDuration(Math.max(0, nowMs - ms) * 1000)} ago`;

const percent = (share: number): string => `${trimNumber(share * 100, 1)}%`;

function arrivalLine(arrival: ArrivalReport, nowMs: number): string {
  const parts = [`margin ${formatDuration(arrival.marginMs * 1000)}`, `share ${percent(arrival.share)}`];
  if (arrival.latenessAt !== null) {
    parts.push(`lateness ${formatDuration(arrival.latenessMs * 1000)} reported ${ago(arrival.latenessAt, nowMs)}`);
  }
  const { changedAt, steppedBackAt } = arrival;
  if (changedAt === steppedBackAt) parts.push(`unchanged since it started ${ago(changedAt, nowMs)}`);
  else parts.push(`changed ${ago(changedAt, nowMs)}`);
  // A step back before the last change is history (or the start of the state): not shown.
  if (steppedBackAt > changedAt) parts.push(`stepped back ${ago(steppedBackAt, nowMs)}`);
  return `  arrival: ${parts.join(", ")}`;
}

function eventLine(event: RateLimitedEntry, nowMs: number): string {
  const words = [event.at === null ? "?" : formatTime(event.at, nowMs)];
  if (event.status !== null) words.push(String(event.status));
  if (event.cause !== null) words.push(event.cause);
  const learned: string[] = [];
  if (event.marginMs !== null) learned.push(`margin ${formatDuration(event.marginMs * 1000)}`);
  if (event.share !== null) learned.push(`share ${percent(event.share)}`);
  if (learned.length > 0) words.push(`(${learned.join(", ")})`);
  return `    ${words.join(" ")}`;
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
  // Some kinds can only estimate what waits (a token bucket, from its TAT).
  waiting:
    limit.waiting === null
      ? "-"
      : ruleKindOf(limit.rule).estimatesWaiting && limit.waiting > 0
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
  if (quota.arrival) lines.push(arrivalLine(quota.arrival, nowMs));
  const { count, recent } = quota.rateLimited;
  if (count > 0) {
    lines.push(`  rate-limited: ${count} noted${recent.length > 0 ? ", newest first:" : ""}`);
    for (const event of recent) lines.push(eventLine(event, nowMs));
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
 * //   arrival: margin 125 ms, share 100%, changed 2 s ago, stepped back 1 s ago
 * //   rate-limited: 1 noted, newest first:
 * //     09:12:03.101Z 429 delay-spread (margin 125 ms, share 100%)
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
