import { describe, expect, it } from "vitest";
import type { ServerCostRow } from "../server-cost/server-cost-suite.js";
import type { ServerlessColdStartRow, ServerlessRow } from "../serverless/serverless-suite.js";
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

  it("gives the fastest Sluice rule and peer over HTTP at the most in flight, and the requests of a first decision", () => {
    const rate = (contender: ServerlessRow["contender"], inFlight: number, perSecond: number, requests: number) =>
      ({ measure: "rate", contender, inFlight, best: pass(perSecond), requests, passes: [perSecond] }) as const;
    const cold = (
      contender: ServerlessRow["contender"],
      scripts: ServerlessColdStartRow["scripts"],
      requests: number,
    ) =>
      ({
        measure: "cold start",
        contender,
        scripts,
        requests,
        paths: "/",
        bytesSent: 0,
        decisionMs: 2,
        processMs: 600,
      }) as const;
    const serverless: ServerlessRow[] = [
      rate("Sluice token bucket", 1, 2_000, 2_000),
      rate("Sluice token bucket", 64, 9_000, 300),
      rate("Sluice sliding window (bucketed)", 64, 8_000, 250),
      rate("@upstash/ratelimit token bucket", 64, 6_000, 600),
      rate("@upstash/ratelimit sliding window", 64, 5_000, 500),
      cold("Sluice token bucket", "not cached (fresh server)", 1),
      cold("Sluice token bucket", "cached (another process ran it)", 1),
      cold("@upstash/ratelimit token bucket", "not cached (fresh server)", 2),
      cold("@upstash/ratelimit token bucket", "cached (another process ran it)", 1),
    ];
    expect(summary(report({ serverless }))).toContain(
      "- **Serverless**, over one local Upstash REST endpoint (section 6): at 64 in flight, Sluice token bucket 30.0 decisions per request (9,000/s), @upstash/ratelimit token bucket 10.0 decisions per request (6,000/s); HTTP requests of a new instance's first decision, scripts cached / flushed: Sluice token bucket 1 / 1, @upstash/ratelimit token bucket 1 / 2.",
    );
  });
  it("gives the server time per decision of every Sluice rule, the cheapest peer's and the physical limit's", () => {
    const cost = (contender: string, usPerDecision: number, workload: ServerCostRow["workload"] = "distinct") => ({
      workload,
      contender,
      usPerDecision,
    });
    const serverCost: ServerCostRow[] = [
      cost("physical limit (INCR+PEXPIRE script)", 4.1),
      cost("Sluice token bucket, coalesce off", 9.8),
      cost("Sluice fixed window, coalesce off", 10.9),
      cost("Sluice token bucket, coalesce off", 9.1, "hot"),
      cost("rate-limiter-flexible RateLimiterRedis", 6.2),
      cost("@upstash/ratelimit token bucket", 12.5),
      { workload: "distinct", contender: "Sluice sliding window (exact), coalesce off", na: "did not run" },
    ];
    expect(summary(report({ serverCost }))).toContain(
      "- **Server time per decision**, distinct keys, one at a time (section 1): Sluice token bucket, coalesce off 9.8 µs; Sluice fixed window, coalesce off 10.9 µs; rate-limiter-flexible RateLimiterRedis 6.2 µs; physical limit (INCR+PEXPIRE script) 4.1 µs.",
    );
  });
});
