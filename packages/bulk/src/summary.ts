import type { BulkSummary } from "./options.js";
import type { RunCounts } from "./tally.js";

/** What the run knows besides its counts. */
export interface RunEnd {
  /** The run was told to stop (signal). */
  readonly stopping: boolean;
  /** Every input was read. */
  readonly exhausted: boolean;
  readonly repairedBytes: number;
  readonly elapsedMs: number;
  readonly output: string;
  readonly failures: string;
}

/**
 * The summary of a run. It was `interrupted` when a stop left inputs unread or items midway:
 * a stop that came after the last item ended interrupts nothing.
 */
export function summarize(counts: RunCounts, end: RunEnd): BulkSummary {
  return {
    done: counts.done,
    skipped: counts.skipped,
    failed: counts.failed,
    skippedFailed: counts.skippedFailed,
    duplicates: counts.duplicates,
    pages: counts.pages,
    requests: counts.requests,
    retries: counts.retries,
    interrupted: end.stopping && (!end.exhausted || counts.stopped > 0),
    repairedBytes: end.repairedBytes,
    elapsedMs: end.elapsedMs,
    output: end.output,
    failures: end.failures,
  };
}

/** What a CLI says on stderr after a stop: how far it got, and how to resume. */
export const resumeHint = (summary: BulkSummary): string =>
  `Stopped: ${summary.done} item(s) finished in this run, ${summary.done + summary.skipped} in all. Run the same command again to resume from ${summary.output}.\n`;
