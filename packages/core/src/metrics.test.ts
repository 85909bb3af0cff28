import { createNoopMeter, metrics } from "@opentelemetry/api";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryLimiter } from "./limiter.js";
import { BulkMetrics, loadMetricsApi, QuotaMetrics } from "./metrics.js";
import { slidingWindow } from "./rules/sliding-window.js";

// This tier shares one module graph per thread: the global provider is always taken back.
afterEach(() => {
  metrics.disable();
});

/** A provider whose data the test reads back from the SDK's in-memory exporter. */
function sdk() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const collect = async () => {
    await reader.forceFlush();
    return (exporter.getMetrics().at(-1)?.scopeMetrics ?? []).flatMap((scope) => scope.metrics);
  };
  const names = async (): Promise<string[]> => (await collect()).map((m) => m.descriptor.name);
  /** Each point of one instrument as [attributes, value]. */
  const points = async (name: string) =>
    (await collect()).find((m) => m.descriptor.name === name)?.dataPoints.map((p) => [p.attributes, p.value]);
  return { provider, names, points };
}

describe("metrics", () => {
  it("with no meter provider registered, records nothing and throws nothing; a provider registered later records", async () => {
    await loadMetricsApi();
    const quota = createMemoryLimiter().quota("q", { limits: [slidingWindow({ limit: 1, window: "1s" })] });
    const grant = await quota.acquire();
    expect((await quota.tryAcquire()).allowed).toBe(false);
    await quota.feedback(grant, { status: 429, headers: {} });
    await quota.pause(1);
    new BulkMetrics("q").ended("done");

    const { provider, names } = sdk();
    metrics.setGlobalMeterProvider(provider);
    expect(await names()).toEqual([]);
    await quota.tryAcquire();
    // the decision, and the gauges of the quota's arrival figures
    expect((await names()).sort()).toEqual([
      "sluice.quota.arrival.margin",
      "sluice.quota.arrival.share",
      "sluice.quota.decisions",
    ]);
    await provider.shutdown();
  });

  it("with the API's no-op provider in force (no SDK), makes no instrument at all", async () => {
    await loadMetricsApi();
    // an SDK first, then none: the no-op provider is a provider Sluice has not seen yet
    const { provider } = sdk();
    metrics.setGlobalMeterProvider(provider);
    const quota = createMemoryLimiter().quota("q", { limits: [slidingWindow({ limit: 5, window: "1s" })] });
    await quota.tryAcquire();
    metrics.disable();
    const noop = createNoopMeter();
    const made = [
      vi.spyOn(noop, "createCounter"),
      vi.spyOn(noop, "createHistogram"),
      vi.spyOn(noop, "createObservableGauge"),
    ];
    try {
      await quota.tryAcquire();
      await createMemoryLimiter()
        .quota("r", { limits: [slidingWindow({ limit: 5, window: "1s" })] })
        .tryAcquire();
      for (const spy of made) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of made) spy.mockRestore();
      await provider.shutdown();
    }
  });

  it("tells a grant that waited 1 ms or more from one admitted at once, and names what decided a wait or denial", async () => {
    await loadMetricsApi();
    const { provider, points } = sdk();
    metrics.setGlobalMeterProvider(provider);
    const rule = slidingWindow({ limit: 1, window: "1s" });
    const recorded = new QuotaMetrics("q");
    recorded.granted({ blockedBy: undefined }, 0.4);
    recorded.granted({ blockedBy: rule }, 1);
    recorded.granted({ blockedBy: rule }, 30);
    recorded.decided(true, undefined);
    recorded.decided(false, "pause");
    recorded.decided(false, undefined);
    const q = { "sluice.quota.name": "q" };
    expect(await points("sluice.quota.decisions")).toEqual([
      [{ ...q, "sluice.decision.outcome": "admitted" }, 2],
      [{ ...q, "sluice.decision.outcome": "waited", "sluice.rule.kind": "slidingWindow" }, 2],
      [{ ...q, "sluice.decision.outcome": "denied", "sluice.rule.kind": "pause" }, 1],
      [{ ...q, "sluice.decision.outcome": "denied" }, 1],
    ]);
    expect(await points("sluice.quota.wait.duration")).toMatchObject([[q, { count: 3, sum: 31.4, min: 0.4, max: 30 }]]);
    await provider.shutdown();
  });
});
