import { describe, expect, it } from "vitest";
import { arrivalCases, type Criteria, misses } from "./arrival-criteria.js";
import type { ShareRow } from "./share-run.js";

const clean: ShareRow = {
  contender: "Sluice default (createFetch)",
  processes: 8,
  variant: "together",
  kind: "sliding window",
  foreignShare: 0,
  sent: 300,
  rejected: 2,
  rejectedLate: 0,
  worstWindow: 50,
  limit: 50,
  utilisation: 0.95,
  steadyUse: 0.95,
  callerStatuses: {},
  elapsedMs: 6_500,
  finished: true,
};

describe("the done criteria of untuned Sluice", () => {
  const criteriaOf = (processes: number, foreignShare: number): Criteria => {
    const found = arrivalCases(false).find((c) => c.processes === processes && c.foreignShare === foreignShare);
    if (found === undefined) throw new Error(`no case of ${processes} processes, foreign ${foreignShare}`);
    return found.criteria;
  };
  const eight = criteriaOf(8, 0);
  const sixteen = criteriaOf(16, 0);
  const foreign = criteriaOf(8, 0.25);

  it("a run inside every bound misses nothing", () => {
    expect(misses(clean, eight)).toEqual([]);
  });

  it("names each missed bound with the figure", () => {
    const row: ShareRow = { ...clean, rejected: 9, rejectedLate: 3, steadyUse: 0.9, callerStatuses: { 429: 2 } };
    expect(misses(row, eight)).toEqual([
      "6 429s in the first 2 s (at most 3)",
      "3 429s after 2 s (at most 0)",
      "90.0% used (at least 92.0%)",
      "callers saw 2 × 429",
    ]);
    expect(misses(row, sixteen)).toEqual(["3 429s after 2 s (at most 2)", "callers saw 2 × 429"]);
  });

  it("with a client outside Sluice, judges the share of requests that met a 429", () => {
    expect(misses({ ...clean, rejected: 9, steadyUse: 0.7 }, foreign)).toEqual([
      "3.0% of requests met a 429 (below 3.0%)",
    ]);
  });

  it("the smoke run has one case", () => {
    expect(arrivalCases(true)).toHaveLength(1);
  });
});
