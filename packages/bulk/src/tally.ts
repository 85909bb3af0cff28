import { BulkMetrics } from "@sluice/core/adapter";
import type { SkipReason } from "./input-feed.js";

/** How one item's run ended, and what it spent. */
export interface ItemOutcome {
  /** `"stopped"`: the run stopped it midway (not a failure; resumed by the next run). */
  readonly end: "done" | "failed" | "stopped";
  /** Page lines written. */
  readonly pages: number;
  /** Quota acquires made. */
  readonly requests: number;
  readonly retries: number;
  /** Quota units spent. */
  readonly units: number;
}

/** What a run counted so far: items by how they ended or why they were skipped, and spending. */
export interface RunCounts {
  readonly done: number;
  readonly failed: number;
  readonly stopped: number;
  readonly skipped: number;
  readonly skippedFailed: number;
  readonly duplicates: number;
  readonly pages: number;
  readonly requests: number;
  readonly retries: number;
  /** Quota units spent by the items that ended. */
  readonly settledUnits: number;
  /** Items running now. */
  readonly active: number;
}

type Counter = { -readonly [K in keyof RunCounts]: number };

/** The counts of one run, added to as inputs are skipped and items start and end. */
export class Tally {
  readonly #counts: Counter = {
    done: 0,
    failed: 0,
    stopped: 0,
    skipped: 0,
    skippedFailed: 0,
    duplicates: 0,
    pages: 0,
    requests: 0,
    retries: 0,
    settledUnits: 0,
    active: 0,
  };
  #firstStart: number | undefined;
  readonly #metrics: BulkMetrics;

  /** @param quota the name of the run's quota, if it has one (the metrics' attribute). */
  constructor(quota?: string) {
    this.#metrics = new BulkMetrics(quota);
  }

  /** `performance.now()` when the first item started, `undefined` before. */
  get firstStart(): number | undefined {
    return this.#firstStart;
  }

  /** A copy of the counts. */
  get counts(): RunCounts {
    return { ...this.#counts };
  }

  skip(reason: SkipReason): void {
    this.#counts[reason]++;
  }

  begin(): void {
    this.#firstStart ??= performance.now();
    this.#counts.active++;
  }

  /** An item left the run: with its outcome, or without one when it threw (the run then fails). */
  end(outcome: ItemOutcome | undefined): void {
    this.#counts.active--;
    if (outcome === undefined) return;
    const c = this.#counts;
    c[outcome.end]++;
    this.#metrics.ended(outcome.end);
    c.pages += outcome.pages;
    c.requests += outcome.requests;
    c.retries += outcome.retries;
    c.settledUnits += outcome.units;
  }
}
