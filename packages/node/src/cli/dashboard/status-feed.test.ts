import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StatusReport } from "../status-report.js";
import { type FeedMessage, StatusFeed } from "./status-feed.js";

const report = (redisTime: number, used: number): StatusReport => ({
  prefix: "p",
  redisTime,
  quotas: [
    {
      name: "search",
      limits: [
        {
          id: "sw:10:1000000",
          rule: { kind: "slidingWindow", precision: "exact", limit: 10, windowUs: 1_000_000 },
          description: "slidingWindow 10 per 1 s",
          limit: 10,
          used,
          available: 10 - used,
          waiting: 0,
        },
      ],
      pause: null,
      arrival: null,
      rateLimited: { count: 0, recent: [] },
      otherKeys: [],
    },
  ],
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("StatusFeed", () => {
  it("reads once per interval however many listen, and hands each read to all", async () => {
    let reads = 0;
    const feed = new StatusFeed(async () => report(1000 * ++reads, reads), String, {
      intervalMs: 1000,
      historyMs: 60_000,
    });
    const heard: FeedMessage[][] = [[], [], []];
    for (const own of heard) feed.subscribe((message) => own.push(message));
    feed.start();
    await vi.advanceTimersByTimeAsync(2500);
    await feed.stop();
    expect(reads).toBe(3);
    for (const own of heard) {
      expect(own.map((message) => message.type === "report" && message.sample)).toEqual([
        { t: 1000, limits: [["search", "sw:10:1000000", 1, 10]] },
        { t: 2000, limits: [["search", "sw:10:1000000", 2, 10]] },
        { t: 3000, limits: [["search", "sw:10:1000000", 3, 10]] },
      ]);
    }
  });

  it("never overlaps reads: a slow read delays the next", async () => {
    let inFlight = 0;
    let most = 0;
    let reads = 0;
    const feed = new StatusFeed(
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2500));
        inFlight--;
        return report(++reads, 0);
      },
      String,
      { intervalMs: 1000, historyMs: 60_000 },
    );
    feed.start();
    await vi.advanceTimersByTimeAsync(9000);
    expect(reads).toBe(3);
    // The fourth read, started at 7.5 s, is in flight: stop waits for it and starts none after it.
    const stopped = feed.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    await stopped;
    expect(most).toBe(1);
    expect(reads).toBe(4);
  });

  it("keeps the history span of Redis time for pages that open later, and the newest report", async () => {
    let reads = 0;
    const feed = new StatusFeed(async () => report(1000 * ++reads, 0), String, { intervalMs: 1000, historyMs: 3000 });
    feed.start();
    await vi.advanceTimersByTimeAsync(5500);
    const { samples, report: newest, problem } = feed.snapshot();
    await feed.stop();
    expect(samples.map((sample) => sample.t)).toEqual([3000, 4000, 5000, 6000]);
    expect(newest?.redisTime).toBe(6000);
    expect(problem).toBeNull();
  });

  it("reports a failed read as a problem, keeps reading, and clears it once a read succeeds", async () => {
    let reads = 0;
    const feed = new StatusFeed(
      async () => {
        if (++reads === 2) throw new Error("ECONNREFUSED");
        return report(reads, 0);
      },
      (error) => `could not read: ${(error as Error).message}`,
      { intervalMs: 1000, historyMs: 60_000 },
    );
    const heard: FeedMessage[] = [];
    feed.subscribe((message) => heard.push(message));
    feed.start();
    await vi.advanceTimersByTimeAsync(1500);
    expect(feed.snapshot().problem).toBe("could not read: ECONNREFUSED");
    await vi.advanceTimersByTimeAsync(1000);
    await feed.stop();
    expect(heard.map((message) => message.type)).toEqual(["report", "problem", "report"]);
    expect(heard[1]).toMatchObject({ message: "could not read: ECONNREFUSED", at: expect.any(Number) });
    expect(feed.snapshot().problem).toBeNull();
  });

  it("stops: no read starts after stop, an unsubscribed listener hears nothing more", async () => {
    let reads = 0;
    const feed = new StatusFeed(async () => report(++reads, 0), String, { intervalMs: 1000, historyMs: 60_000 });
    const heard: FeedMessage[] = [];
    const unsubscribe = feed.subscribe((message) => heard.push(message));
    feed.start();
    await vi.advanceTimersByTimeAsync(500);
    unsubscribe();
    await vi.advanceTimersByTimeAsync(1000);
    await feed.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(heard).toHaveLength(1);
    expect(reads).toBe(2);
  });
});
