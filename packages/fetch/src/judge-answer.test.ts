import { concurrency, createMemoryLimiter, type Feedback, type Quota } from "@sluice/core";
import { describe, expect, it, vi } from "vitest";
import type { Call, FetchContext } from "./fetch-call.js";
import type { FetchEvent } from "./fetch-event.js";
import { StatsTable } from "./fetch-stats.js";
import { acquireSlots, type Held, type Slots } from "./held-slots.js";
import { feedbackEvent, judgeAnswer } from "./judge-answer.js";
import type { FetchOptions } from "./options.js";
import { prepareRequest } from "./prepare-request.js";
import { resolveOptions } from "./resolve-options.js";
import { RouteTable } from "./route-table.js";

const API = "https://api.example.test/";
const said = (pausedMs: number, serverWaitMs?: number, cause: Feedback["cause"] = "server-wait"): Feedback => ({
  retry: true,
  cause,
  pausedMs,
  serverWaitMs,
  arrival: undefined,
});

describe("feedbackEvent", () => {
  it("reports every 429, naming the quotas it paused and the server's wait", () => {
    expect(feedbackEvent(429, ["a", "b"], [said(0, undefined, "delay-spread"), said(0)])).toEqual({
      type: "rate-limited",
      quotas: [],
      waitMs: undefined,
      cause: "delay-spread",
    });
    expect(feedbackEvent(429, ["a", "b"], [undefined, said(5000, 5000)])).toEqual({
      type: "rate-limited",
      quotas: ["b"],
      waitMs: 5000,
      cause: "server-wait",
    });
    expect(feedbackEvent(429, ["a"], [undefined])).toMatchObject({ cause: "server-wait" });
  });

  it("reports another answer only when it paused a quota, and a 503 never", () => {
    expect(feedbackEvent(200, ["a", "b"], [said(0), said(0)])).toBeUndefined();
    expect(feedbackEvent(200, ["a", "b"], [said(800), said(1200)])).toEqual({
      type: "exhausted",
      quotas: ["a", "b"],
      waitMs: 1200,
      status: 200,
    });
    expect(feedbackEvent(503, ["a"], [said(1000, 1000)])).toBeUndefined();
  });
});

function contextOf(options: Partial<FetchOptions> = {}) {
  const events: FetchEvent[] = [];
  const context: FetchContext = {
    config: resolveOptions({ limiter: createMemoryLimiter(), routes: [], retry: { baseDelay: 1 }, ...options }),
    stats: new StatsTable(),
    emit: (event) => events.push(event),
  };
  return { context, events };
}

/** A call on a plan with no groups, answered for the given fake quotas. */
async function fakeCall(quotas: ReadonlyArray<{ name: string; feedback: () => Promise<Feedback> }>) {
  const call: Call = {
    prepared: await prepareRequest(API, undefined),
    plan: { groups: [], pool: undefined },
    method: "GET",
    url: API,
    signal: new AbortController().signal,
    groups: ["g"],
  };
  const held: Held[] = quotas.map((quota) => ({
    quota: quota as unknown as Quota,
    grant: {} as Held["grant"],
    leased: false,
    ofKey: false,
  }));
  const slots: Slots = { held, key: undefined };
  return { call, slots };
}

describe("judgeAnswer", () => {
  it("tells the quotas, reports a 429 and retries it at the next slot", async () => {
    const { context, events } = contextOf();
    const { call, slots } = await fakeCall([{ name: "a", feedback: async () => said(0, undefined, "delay-spread") }]);
    const attempts = { startedAt: performance.now(), retries: 0 };
    const verdict = await judgeAnswer(call, attempts, new Response("", { status: 429 }), slots, context);
    expect(verdict).toEqual({ kind: "retry", reason: 429, delayMs: 0, sleepMs: 0 });
    expect(events).toEqual([
      {
        type: "rate-limited",
        quotas: [],
        waitMs: undefined,
        cause: "delay-spread",
        keyId: undefined,
        method: "GET",
        url: API,
      },
    ]);
    expect(context.stats.snapshot().g).toMatchObject({ rateLimited: 1 });
  });

  it("backs off when a quota's store fails to hear the answer", async () => {
    const { context } = contextOf({ retry: { baseDelay: 1000 } });
    const failing = async (): Promise<Feedback> => {
      throw new Error("store down");
    };
    const { call, slots } = await fakeCall([
      { name: "a", feedback: async () => said(0) },
      { name: "b", feedback: failing },
    ]);
    const attempts = { startedAt: performance.now(), retries: 1 };
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    try {
      const verdict = await judgeAnswer(call, attempts, new Response("", { status: 503 }), slots, context);
      expect(verdict).toEqual({ kind: "retry", reason: 503, delayMs: 1000, sleepMs: 1000 });
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("quarantines a refused credential key and moves to another one", async () => {
    const limiter = createMemoryLimiter();
    const key = (id: string) => ({ id, secret: `secret-${id}`, limits: [concurrency({ limit: 5 })] });
    const routes = [{ match: API, quota: "pool", credentials: { header: "x-key", keys: [key("k1"), key("k2")] } }];
    const { context, events } = contextOf({ limiter, routes });
    const plan = new RouteTable(limiter, routes, {}).plan(new URL(API), "GET");
    if (plan === undefined) throw new Error("no route matched");
    const { call: base } = await fakeCall([]);
    const call: Call = { ...base, plan };
    const slots = await acquireSlots(call, context);
    const attempts = { startedAt: performance.now(), retries: 0 };
    const first = await judgeAnswer(call, attempts, new Response("", { status: 401 }), slots, context);
    expect(first).toEqual({ kind: "quarantine", nextKey: true });
    expect(events.filter((event) => event.type === "quarantine")).toEqual([
      expect.objectContaining({ quota: "pool", keyId: slots.key?.id, status: 401, durationMs: 60_000 }),
    ]);
    expect(JSON.stringify(events)).not.toContain("secret-");
    const other = await acquireSlots(call, context);
    expect(other.key?.id).not.toBe(slots.key?.id);
    const last = await judgeAnswer(call, attempts, new Response("", { status: 403 }), other, context);
    expect(last).toEqual({ kind: "quarantine", nextKey: false });
  });
});
