import { describe, expect, it } from "vitest";
import { StatsTable } from "./fetch-stats.js";

describe("StatsTable", () => {
  it("counts per group and hands out frozen copies", () => {
    const table = new StatsTable();
    table.add(["a", "b"], "sent");
    table.add(["a"], "waitedMs", 12.5);
    const snapshot = table.snapshot();
    expect(snapshot).toEqual({
      a: { sent: 1, retried: 0, rateLimited: 0, waitedMs: 12.5 },
      b: { sent: 1, retried: 0, rateLimited: 0, waitedMs: 0 },
    });
    table.add(["a"], "sent");
    expect(snapshot.a?.sent).toBe(1);
    expect(Object.isFrozen(snapshot.a)).toBe(true);
  });
});
