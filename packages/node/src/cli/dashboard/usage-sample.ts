import type { StatusReport } from "../status-report.js";

/** One limit's use at one moment: quota name, rule id, units used, units per window. */
export type LimitUse = readonly [quota: string, id: string, used: number, limit: number];

/**
 * Every limit's use at one report's moment: a point of the dashboard's charts. Tuples keep the
 * minutes of history a page receives on opening small (a few hundred of these).
 */
export interface UsageSample {
  /** Epoch ms, from Redis TIME. */
  readonly t: number;
  readonly limits: readonly LimitUse[];
}

/** The chart point of a report. */
export const usageSample = (report: StatusReport): UsageSample => ({
  t: report.redisTime,
  limits: report.quotas.flatMap((quota) =>
    quota.limits.map((limit): LimitUse => [quota.name, limit.id, limit.used, limit.limit]),
  ),
});
