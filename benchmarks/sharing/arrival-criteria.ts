import type { ServerLimitKind } from "./server-limits.js";
import type { ShareRow } from "./share-run.js";

/** What untuned Sluice must show in one setting (the "done" criteria); callers always see only 200s. */
export interface Criteria {
  /** Most 429s in the first 2 s of the run. */
  readonly earlyRejected?: number;
  /** Most 429s after them. */
  readonly lateRejected?: number;
  /** Least share of the server's quota Sluice uses over the steady part. */
  readonly steadyUse: number;
  /** The share of Sluice's requests that meet a 429 stays below this. */
  readonly rejectedShareBelow?: number;
}

/** One setting of the done-criteria matrix. */
export interface ArrivalCase {
  readonly processes: number;
  readonly kind: ServerLimitKind;
  /** Share of the limit a client outside Sluice spends, evenly spaced (0: none). */
  readonly foreignShare: number;
  readonly criteria: Criteria;
}

const alone: Criteria = { earlyRejected: 3, lateRejected: 0, steadyUse: 0.92 };
const withForeign: Criteria = { rejectedShareBelow: 0.03, steadyUse: 0.65 };

/** The full matrix, or for a smoke run one small case that still takes every path (a foreign client too). */
export function arrivalCases(quick: boolean): ArrivalCase[] {
  if (quick) return [{ processes: 2, kind: "sliding window", foreignShare: 0.25, criteria: withForeign }];
  return [
    { processes: 8, kind: "sliding window", foreignShare: 0, criteria: alone },
    { processes: 16, kind: "sliding window", foreignShare: 0, criteria: { lateRejected: 2, steadyUse: 0.85 } },
    { processes: 8, kind: "sliding window", foreignShare: 0.25, criteria: withForeign },
    { processes: 8, kind: "token bucket, burst 1", foreignShare: 0, criteria: alone },
    { processes: 8, kind: "token bucket, burst 10", foreignShare: 0, criteria: alone },
    { processes: 8, kind: "fixed window", foreignShare: 0, criteria: alone },
  ];
}

const pct = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** The criteria a run missed, each said with the figure and the bound; empty when it met them all. */
export function misses(row: ShareRow, criteria: Criteria): string[] {
  const missed: string[] = [];
  const early = row.rejected - row.rejectedLate;
  if (criteria.earlyRejected !== undefined && early > criteria.earlyRejected)
    missed.push(`${early} 429s in the first 2 s (at most ${criteria.earlyRejected})`);
  if (criteria.lateRejected !== undefined && row.rejectedLate > criteria.lateRejected)
    missed.push(`${row.rejectedLate} 429s after 2 s (at most ${criteria.lateRejected})`);
  if (row.steadyUse === undefined || row.steadyUse < criteria.steadyUse)
    missed.push(
      `${row.steadyUse === undefined ? "no steady part" : pct(row.steadyUse)} used (at least ${pct(criteria.steadyUse)})`,
    );
  const share = row.sent === 0 ? 0 : row.rejected / row.sent;
  if (criteria.rejectedShareBelow !== undefined && share >= criteria.rejectedShareBelow)
    missed.push(`${pct(share)} of requests met a 429 (below ${pct(criteria.rejectedShareBelow)})`);
  const seen = Object.entries(row.callerStatuses).map(([status, n]) => `${n} × ${status}`);
  if (seen.length > 0) missed.push(`callers saw ${seen.join(", ")}`);
  if (!row.finished) missed.push(row.failure ?? "did not finish");
  return missed;
}
