import { etaSeconds } from "./eta.js";
import { ProgressBar, type ProgressSnapshot } from "./progress-bar.js";
import type { RunCounts, Tally } from "./tally.js";

const PROGRESS_EVERY_MS = 200;
/** Observed rates are trusted for the ETA only after this long. */
const WARM_UP_MS = 3000;

/** What the bar knows besides the counts. */
export interface ProgressView {
  readonly total: number | undefined;
  /** Quota units per second the quota's limits allow, if known. */
  readonly quotaRate: number | undefined;
  /** Units per request: the guess of units per item until an item ends. */
  readonly cost: number;
}

/** What the bar shows after `ranMs` of running items (0 before the first started). */
export function progressSnapshot(counts: RunCounts, ranMs: number, view: ProgressView): ProgressSnapshot {
  const settled = counts.done + counts.failed;
  const value = settled + counts.skipped + counts.skippedFailed + counts.duplicates;
  const observed = ranMs > 0 && settled > 0 ? (settled * 1000) / ranMs : undefined;
  const { total } = view;
  return {
    value,
    total,
    failed: counts.failed,
    rate: observed,
    etaSeconds: etaSeconds({
      remaining: total === undefined ? undefined : Math.max(total - value, 0),
      quotaRate: view.quotaRate,
      unitsPerItem: settled > 0 && counts.settledUnits > 0 ? counts.settledUnits / settled : view.cost,
      observedRate: ranMs >= WARM_UP_MS ? observed : undefined,
    }),
  };
}

/** Shows the bar on stderr, redrawn from the tally every 200 ms; `stop` draws it a last time. */
export function showProgress(tally: Tally, view: ProgressView): { stop(): void } {
  const bar = new ProgressBar(view.total);
  const refresh = (): void => {
    const start = tally.firstStart;
    bar.update(progressSnapshot(tally.counts, start === undefined ? 0 : performance.now() - start, view));
  };
  const ticker = setInterval(refresh, PROGRESS_EVERY_MS);
  return {
    stop: () => {
      clearInterval(ticker);
      refresh();
      bar.stop();
    },
  };
}
