import { describe, expect, it } from "vitest";
import { resumeHint, summarize } from "./summary.js";
import { Tally } from "./tally.js";

const end = { stopping: false, exhausted: true, repairedBytes: 7, elapsedMs: 12, output: "o.ndjson", failures: "f" };

describe("summarize", () => {
  it("copies the counts and the run's facts", () => {
    const tally = new Tally();
    tally.skip("skipped");
    tally.begin();
    tally.end({ end: "done", pages: 2, requests: 2, retries: 1, units: 2 });
    expect(summarize(tally.counts, end)).toEqual({
      done: 1,
      skipped: 1,
      failed: 0,
      skippedFailed: 0,
      duplicates: 0,
      pages: 2,
      requests: 2,
      retries: 1,
      interrupted: false,
      repairedBytes: 7,
      elapsedMs: 12,
      output: "o.ndjson",
      failures: "f",
    });
  });

  it("is interrupted by a stop that left inputs unread or an item midway, not by one after the end", () => {
    const tally = new Tally();
    expect(summarize(tally.counts, { ...end, stopping: true }).interrupted).toBe(false);
    expect(summarize(tally.counts, { ...end, stopping: true, exhausted: false }).interrupted).toBe(true);
    expect(summarize(tally.counts, { ...end, exhausted: false }).interrupted).toBe(false);
    tally.begin();
    tally.end({ end: "stopped", pages: 1, requests: 1, retries: 0, units: 1 });
    expect(summarize(tally.counts, { ...end, stopping: true }).interrupted).toBe(true);
  });

  it("tells a CLI user how to resume", () => {
    const summary = summarize(new Tally().counts, end);
    expect(resumeHint({ ...summary, done: 3, skipped: 4 })).toBe(
      "Stopped: 3 item(s) finished in this run, 7 in all. Run the same command again to resume from o.ndjson.\n",
    );
  });
});
