import { describe, expect, it } from "vitest";
import { renderTable } from "./render-table.js";
import type { ArrivalReport, QuotaReport, StatusReport } from "./status-report.js";

const now = Date.parse("2025-03-01T09:12:05.000Z");

const quota = (arrival: ArrivalReport | null, rateLimited: QuotaReport["rateLimited"]): StatusReport => ({
  prefix: "app",
  redisTime: now,
  quotas: [{ name: "api", limits: [], pause: null, arrival, rateLimited, otherKeys: [] }],
});

const block = (report: StatusReport): string[] =>
  renderTable(report, { target: "redis://h", watchSeconds: undefined }).split("\n").slice(4, -1);

const started = { marginMs: 25, share: 1, latenessMs: 0, latenessAt: null, changedAt: now - 12_000 };
const none = { count: 0, recent: [] };

describe("renderTable: arrival and 429s", () => {
  it("a state that never changed", () => {
    expect(block(quota({ ...started, steppedBackAt: now - 12_000 }, none))).toEqual([
      "  no limit state (idle limits keep no key)",
      "  arrival: margin 25 ms, share 100%, unchanged since it started 12 s ago",
    ]);
  });

  it("a learned margin and share, the lateness reported, a step back after the last change", () => {
    const arrival = { marginMs: 62.5, share: 0.775, latenessMs: 50, latenessAt: now - 800, changedAt: now - 30_000 };
    expect(block(quota({ ...arrival, steppedBackAt: now - 2_000 }, none))[1]).toBe(
      "  arrival: margin 62.5 ms, share 77.5%, lateness 50 ms reported 800 ms ago, changed 30 s ago, stepped back 2 s ago",
    );
    // A step back older than the last change is not shown.
    expect(block(quota({ ...arrival, steppedBackAt: now - 40_000 }, none))[1]).toBe(
      "  arrival: margin 62.5 ms, share 77.5%, lateness 50 ms reported 800 ms ago, changed 30 s ago",
    );
  });

  it("each 429 with its cause and the figures it led to, newest first", () => {
    const recent = [
      { type: "rate-limited", status: 429, cause: "outside-spend", marginMs: 50, share: 0.75, at: now - 1000 },
      { type: "rate-limited", status: 503, cause: "server-wait", marginMs: null, share: null, at: now - 2000 },
      { type: "rate-limited", status: null, cause: null, marginMs: null, share: null, at: null },
    ];
    expect(block(quota(null, { count: 7, recent })).slice(1)).toEqual([
      "  rate-limited: 7 noted, newest first:",
      "    09:12:04.000Z 429 outside-spend (margin 50 ms, share 75%)",
      "    09:12:03.000Z 503 server-wait",
      "    ?",
    ]);
  });
});
