import { worstWindow } from "./worst-window.js";

/** Figures of one shared-quota run, from the Redis times of all admissions. */
export interface ShareSummary {
  readonly admitted: number;
  /** The most admissions found in any interval of one window length. */
  readonly worstWindow: number;
  /** Admitted / allowed over the whole windows between the first admission and the end. */
  readonly utilisation: number;
}

export function analyseShare(
  times: readonly number[],
  limit: number,
  windowMs: number,
  durationMs: number,
): ShareSummary {
  const sorted = [...times].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const windows = Math.max(1, Math.floor(durationMs / windowMs) - 1);
  const inWholeWindows = sorted.filter((t) => t < first + windows * windowMs).length;
  return {
    admitted: sorted.length,
    worstWindow: worstWindow(sorted, windowMs),
    utilisation: inWholeWindows / (windows * limit),
  };
}
