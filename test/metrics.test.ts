import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { metrics } from "@opentelemetry/api";
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { runBulk } from "@sluice/bulk";
import { createMemoryLimiter, fixedWindow, isStoreUnavailableError, slidingWindow } from "@sluice/core";
import { createFetch, type FetchEvent, type RateLimitedEvent } from "@sluice/fetch";
import { createLimiter } from "@sluice/node";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMetricsApi } from "../packages/core/src/metrics.js";
import { connectRedis, randomPrefix } from "./support/redis-clients.js";

// One run through everything Sluice records, read back through the real SDK and its in-memory
// exporter: acquires that are admitted, wait and are denied, 429s told to Quota.feedback and seen
// by the fetch wrapper, a pause, a Redis outage under both fail modes, and a bulk run.

const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
const provider = new MeterProvider({ readers: [reader] });
const redis = connectRedis();
const prefix = randomPrefix();
const limiter = createLimiter({ redis, prefix });
let api: Server;
let apiUrl: string;
let deadPort: number;
let dir: string;

/** A port nothing listens on: Redis is down. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  await new Promise((resolve) => server.close(resolve));
  return address.port;
}

beforeAll(async () => {
  metrics.setGlobalMeterProvider(provider);
  await loadMetricsApi();
  api = createHttpServer((_, res) => res.writeHead(429).end());
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  const address = api.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  apiUrl = `http://127.0.0.1:${address.port}`;
  deadPort = await closedPort();
  dir = await mkdtemp(join(tmpdir(), "sluice-metrics-"));
});

afterAll(async () => {
  metrics.disable();
  await provider.shutdown();
  await limiter.close();
  await redis.quit();
  await new Promise((resolve) => api.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

type Attributes = Record<string, unknown>;

/** The data points of one instrument, as the exporter has them after a collection. */
async function points<T = number>(name: string): Promise<DataPoint<T>[]> {
  await reader.forceFlush();
  const latest = exporter.getMetrics().at(-1);
  const metric = latest?.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as DataPoint<T>[];
}

/** Every data point of every instrument. */
async function allPoints(): Promise<DataPoint<unknown>[]> {
  await reader.forceFlush();
  const latest = exporter.getMetrics().at(-1);
  return (latest?.scopeMetrics ?? [])
    .flatMap((scope) => scope.metrics)
    .flatMap((m) => m.dataPoints as DataPoint<unknown>[]);
}

/** The value of the point with exactly these attributes. */
async function pointValue<T = number>(name: string, attributes: Attributes): Promise<T | undefined> {
  return (await points<T>(name)).find((point) => sameAttributes(point.attributes, attributes))?.value;
}

const sameAttributes = (a: Attributes, b: Attributes): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([key, value]) => a[key] === value);

const quotaName = "sluice.quota.name";

describe("OpenTelemetry metrics", () => {
  it("counts decisions by outcome and what decided them, and times real slot waits", async () => {
    const rule = slidingWindow({ limit: 2, window: "500ms" });
    const quota = limiter.quota("decisions", { limits: [rule] });
    expect((await Promise.all([quota.tryAcquire(), quota.tryAcquire()])).every((d) => d.allowed)).toBe(true);
    expect((await quota.tryAcquire()).allowed).toBe(false);
    await expect(quota.acquire({ maxWait: 0 })).rejects.toThrow(/decisions/);
    const started = performance.now();
    await quota.acquire();
    const waitedMs = performance.now() - started;
    // uncontended: one store call, no wait for a slot (a busy event loop may still add a little)
    await limiter.quota("uncontended", { limits: [rule] }).acquire();

    const decisions = "sluice.quota.decisions";
    const named = { [quotaName]: "decisions" };
    const kind = { "sluice.rule.kind": "slidingWindow" };
    expect(await pointValue(decisions, { ...named, "sluice.decision.outcome": "admitted" })).toBe(2);
    expect(await pointValue(decisions, { ...named, "sluice.decision.outcome": "denied", ...kind })).toBe(2);
    expect(await pointValue(decisions, { ...named, "sluice.decision.outcome": "waited", ...kind })).toBe(1);

    const wait = "sluice.quota.wait.duration";
    const waited = await pointValue<Histogram>(wait, named);
    expect(waited?.count).toBe(1);
    // the slot was ~500 ms away; the histogram has the sleep, not the store calls around it
    expect(waited?.sum).toBeGreaterThan(250);
    expect(waited?.sum).toBeLessThanOrEqual(waitedMs);
    const none = await pointValue<Histogram>(wait, { [quotaName]: "uncontended" });
    expect(none?.count).toBe(1);
    expect(none?.sum).toBeLessThan(50);
  });

  it("counts 429s by cause and pauses, and gauges the arrival figures each quota saw last", async () => {
    const learning = limiter.quota("learning", { limits: [slidingWindow({ limit: 10, window: "1s" })] });
    const fixed = limiter.quota("fixed", { limits: [slidingWindow({ limit: 10, window: "1s" })], arrivalMargin: 0 });
    const tooMany = { status: 429, headers: { "retry-after": "1" } };
    // delay-spread or outside-spend, as the lateness of this host says
    const learned = await learning.feedback(await learning.acquire(), tooMany);
    expect(learned.cause).toMatch(/^(delay-spread|outside-spend)$/);
    expect(await fixed.feedback(await fixed.acquire(), tooMany)).toMatchObject({
      cause: "server-wait",
      pausedMs: 1000,
    });
    // a 200 is no 429
    await learning.feedback(await learning.acquire(), { status: 200, headers: {} });
    // the fetch wrapper tells its route's quota of the server's 429
    const events: FetchEvent[] = [];
    const limitedFetch = createFetch({
      limiter,
      routes: [{ match: apiUrl, quota: "fetched", limits: [fixedWindow({ limit: 100, window: "1s" })] }],
      retry: false,
      onEvent: (event) => events.push(event),
    });
    expect((await limitedFetch(`${apiUrl}/items?token=secret`)).status).toBe(429);
    const seen = events.find((event): event is RateLimitedEvent => event.type === "rate-limited");

    const rateLimited = "sluice.quota.rate_limited_responses";
    const cause = "sluice.feedback.cause";
    expect(await pointValue(rateLimited, { [quotaName]: "learning", [cause]: learned.cause })).toBe(1);
    expect(await pointValue(rateLimited, { [quotaName]: "fixed", [cause]: "server-wait" })).toBe(1);
    expect(seen).toBeDefined();
    expect(await pointValue(rateLimited, { [quotaName]: "fetched", [cause]: seen?.cause })).toBe(1);
    expect(await points(rateLimited)).toHaveLength(3);
    expect(await pointValue("sluice.quota.pauses", { [quotaName]: "fixed" })).toBe(1);
    // never a URL, a query or a secret in an attribute
    const values = (await allPoints()).flatMap((point) => Object.values(point.attributes));
    expect(values.filter((value) => /127\.0\.0\.1|items|token|secret/.test(String(value)))).toEqual([]);

    // the gauges read the figures the quota saw last: here, those of state()
    const arrival = (await learning.state()).arrival;
    expect(arrival).toBeDefined();
    expect(arrival).not.toEqual({ marginMs: 25, share: 1 });
    expect(await pointValue("sluice.quota.arrival.margin", { [quotaName]: "learning" })).toBe(arrival?.marginMs);
    expect(await pointValue("sluice.quota.arrival.share", { [quotaName]: "learning" })).toBe(arrival?.share);
    // a fixed margin is in force too
    expect(await pointValue("sluice.quota.arrival.margin", { [quotaName]: "fixed" })).toBe(0);
  });

  it("times store calls and counts the failures each fail mode answered", async () => {
    const down = new Redis({ port: deadPort, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
    down.on("error", () => {});
    const limits = [slidingWindow({ limit: 10, window: "1s" })];
    const exact = { limits, arrivalMargin: 0, pacing: false } as const;
    await limiter.quota("healthy", exact).acquire();
    try {
      const open = createLimiter({ redis: down, prefix, timeout: 200, failMode: "open" });
      expect((await open.quota("outage", exact).acquire()).allowed).toBe(true);
      const closed = createLimiter({ redis: down, prefix, timeout: 200, failMode: "closed" });
      const refused = await closed
        .quota("outage", exact)
        .acquire()
        .catch((error: unknown) => error);
      expect(isStoreUnavailableError(refused)).toBe(true);
    } finally {
      down.disconnect();
    }

    const errors = "sluice.store.errors";
    const acquire = { "sluice.store.operation": "acquire" };
    expect(await pointValue(errors, { ...acquire, "sluice.store.fail_mode": "open" })).toBe(1);
    expect(await pointValue(errors, { ...acquire, "sluice.store.fail_mode": "closed" })).toBe(1);
    expect(await points(errors)).toHaveLength(2);

    const durations = await points<Histogram>("sluice.store.operation.duration");
    const answered = durations.find((point) => sameAttributes(point.attributes, acquire));
    expect(answered?.value.count).toBeGreaterThanOrEqual(1);
    const failed = durations.filter((point) => point.attributes["error.type"] !== undefined);
    expect(failed.reduce((sum, point) => sum + point.value.count, 0)).toBe(2);
    for (const point of failed) {
      expect(point.attributes["sluice.store.operation"]).toBe("acquire");
      expect(["STORE_UNAVAILABLE", "_OTHER"]).toContain(point.attributes["error.type"]);
    }
  });

  it("counts bulk items done and failed", async () => {
    const quota = createMemoryLimiter().quota("bulk", { limits: [slidingWindow({ limit: 100, window: "1s" })] });
    const summary = await runBulk({
      inputs: ["a", "b", "c"],
      key: (input) => input,
      task: async (input) => {
        if (input === "b") throw new Error("no b");
        return input;
      },
      quota,
      retry: false,
      progress: false,
      output: join(dir, "out.ndjson"),
    });
    expect(summary).toMatchObject({ done: 2, failed: 1 });
    const items = "sluice.bulk.items";
    expect(await pointValue(items, { [quotaName]: "bulk", "sluice.bulk.outcome": "done" })).toBe(2);
    expect(await pointValue(items, { [quotaName]: "bulk", "sluice.bulk.outcome": "failed" })).toBe(1);
  });
});
