import { describe, expect, it } from "vitest";
import { settingsFromArgs } from "../settings.js";
import type { ArrivalRow } from "../sharing/arrival-suite.js";
import type { ShareRow } from "../sharing/share-run.js";
import type { ThroughputRow } from "../throughput/throughput-suite.js";
import type { Report } from "./report.js";
import { summary } from "./summary.js";

const pass = (perSecond: number) => ({ decisions: perSecond, denied: 0, perSecond, p50Ms: 0.5, p99Ms: 1 });

const throughput = (contender: string, perSecond: number | undefined, floor = 100_000): ThroughputRow => ({
  topology: "single",
  workload: "hot",
  inFlight: 64,
  contender,
  ...(perSecond === undefined ? { na: "cannot" } : { best: pass(perSecond), ratio: perSecond / floor }),
});

const share = (
  contender: ShareRow["contender"],
  processes: number,
  rejected: number,
  utilisation: number,
): ShareRow => ({
  contender,
  processes,
  variant: "together",
  kind: "sliding window",
  foreignShare: 0,
  sent: 200 + rejected,
  rejected,
  rejectedLate: 0,
  worstWindow: 50,
  limit: 50,
  utilisation,
  callerStatuses: {},
  elapsedMs: 3_000,
  finished: true,
});

const report = (overrides: Partial<Report>): Report => ({
  command: "pnpm bench",
  date: "2026-12-02T20:31:23.039Z",
  elapsedSeconds: 672.4,
  machine: { cpu: "AMD EPYC", cores: 2, memoryGiB: 24, node: "v20.20.2", platform: "linux x64", redis: "7.0.15" },
  redisSource: "started by the benchmark on loopback",
  settings: settingsFromArgs([]),
  throughput: [],
  sharing: [],
  arrival: [],
  memory: [],
  coldStart: [],
  errors: [],
  ...overrides,
});

describe("the report's summary", () => {
  it("opens with the command, the date and the machine, and says when the run was a quick one", () => {
    expect(summary(report({}))).toBe(
      "## Summary\n\n`pnpm bench` on 2026-12-02 20:31 UTC, 672 s, 2 × AMD EPYC, Node v20.20.2, Redis 7.0.15.",
    );
    expect(summary(report({ command: "pnpm bench --quick", settings: settingsFromArgs(["--quick"]) }))).toContain(
      "**A quick smoke run: its figures are rough.**",
    );
  });

  it("sets each scenario's fastest Sluice rule against the fastest peer and the physical limit", () => {
    const text = summary(
      report({
        throughput: [
          throughput("physical limit (INCR+PEXPIRE script)", 100_000),
          throughput("Sluice token bucket", 300_000),
          throughput("Sluice sliding window (exact)", undefined),
          throughput("Sluice fixed window", 120_000),
          throughput("rate-limiter-flexible RateLimiterRedis", 80_000),
          throughput("@upstash/ratelimit token bucket", 70_000),
        ],
      }),
    );
    expect(text).toContain(
      "| Single Redis, one hot quota, 64 in flight | 100,000/s | 3.00× (300,000/s), token bucket | 0.80× (80,000/s), rate-limiter-flexible RateLimiterRedis |",
    );
  });

  it("gives untuned Sluice's 429s and utilisation in the sharing run with the most processes, and the best peer's", () => {
    const text = summary(
      report({
        sharing: [
          share("Sluice default (createFetch)", 4, 0, 0.97),
          share("Sluice default (createFetch)", 16, 2, 0.77),
          share("Sluice sliding window, 50 ms arrival margin", 16, 0, 0.76),
          share("bottleneck clustering (minTime)", 16, 4, 0.795),
          share("@upstash/ratelimit sliding window", 16, 3, 0.58),
          share("per process: p-queue interval/intervalCap", 16, 3, 0.66),
        ],
      }),
    );
    expect(text).toContain(
      "- **Sharing** one API quota of 50 per 1,000 ms among 16 processes, a job of 200 (section 2): Sluice default (createFetch) 2 × 429, 77.0% utilisation; best peer, per process: p-queue interval/intervalCap: 3 × 429, 66.0% utilisation.",
    );
  });

  it("counts the arrival runs that met every criterion, per contender", () => {
    const row = share("Sluice default (createFetch)", 8, 0, 0.95);
    const arrival: ArrivalRow[] = [
      { ...row, misses: [] },
      { ...row, misses: ["3 429s after 2 s (at most 0)"] },
    ];
    expect(summary(report({ arrival }))).toContain(
      "- **Arrival criteria** of untuned Sluice, runs that met every one (section 3): Sluice default (createFetch) 1 of 2.",
    );
  });
});
