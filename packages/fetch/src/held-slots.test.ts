import { concurrency, createMemoryLimiter, type Quota, tokenBucket } from "@sluice/core";
import { MemoryStore, type Store, StoreLimiter } from "@sluice/core/adapter";
import { describe, expect, it } from "vitest";
import type { Call, FetchContext } from "./fetch-call.js";
import type { FetchEvent, WaitEvent } from "./fetch-event.js";
import { StatsTable } from "./fetch-stats.js";
import { acquireSlots, answeredBy, deliver, type Held } from "./held-slots.js";
import type { RouteOptions } from "./options.js";
import { prepareRequest } from "./prepare-request.js";
import { resolveOptions } from "./resolve-options.js";
import { RouteTable } from "./route-table.js";

const API = "https://api.example.test/";

/** A memory store answering after `ms`, like a store across a network. */
function distantStore(ms: number): Store {
  const memory = new MemoryStore();
  return new Proxy(memory, {
    get(target, property) {
      if (property === "acquire")
        return async (...args: Parameters<Store["acquire"]>) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return target.acquire(...args);
        };
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function setup(routes: RouteOptions[], signal = new AbortController().signal, limiter = createMemoryLimiter()) {
  const events: FetchEvent[] = [];
  const context: FetchContext = {
    config: resolveOptions({ limiter, routes }),
    stats: new StatsTable(),
    emit: (event) => events.push(event),
  };
  const plan = new RouteTable(limiter, routes, {}).plan(new URL(API), "GET");
  if (plan === undefined) throw new Error("no route matched");
  const call: Call = {
    prepared: await prepareRequest(API, undefined),
    plan,
    method: "GET",
    url: API,
    signal,
    groups: plan.groups.map((group) => group.name),
  };
  const quota = (group: number): Quota => plan.groups[group]?.quota as Quota;
  return { call, context, events, quota };
}

describe("acquireSlots", () => {
  it("holds a grant per group, leased for a concurrency limit until the delivered body ends", async () => {
    const { call, context, quota } = await setup([
      { match: API, quota: "a", limits: [concurrency({ limit: 1 })] },
      { match: API, quota: "b", limits: [tokenBucket({ rate: 1000 })] },
    ]);
    const slots = await acquireSlots(call, context);
    expect(slots.key).toBeUndefined();
    expect(slots.held.map((h) => [h.quota.name, h.leased, h.ofKey])).toEqual([
      ["a", true, false],
      ["b", false, false],
    ]);
    expect(answeredBy(slots)).toEqual(slots.held);
    expect((await quota(0).tryAcquire()).allowed).toBe(false);
    const response = deliver(new Response("body"), slots.held);
    expect(await response.text()).toBe("body");
    await expect.poll(async () => (await quota(0).tryAcquire()).allowed).toBe(true);
    expect(context.stats.snapshot()).toMatchObject({ a: { waitedMs: expect.any(Number) }, b: {} });
  });

  it("gives back what it holds when a later wait is aborted", async () => {
    const controller = new AbortController();
    const { call, context, quota } = await setup(
      [
        { match: API, quota: "a", limits: [concurrency({ limit: 1 })] },
        { match: API, quota: "b", limits: [concurrency({ limit: 1 })] },
      ],
      controller.signal,
    );
    const taken = await quota(1).acquire();
    const acquiring = acquireSlots(call, context);
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await expect(acquiring).rejects.toThrow("stop");
    await expect.poll(async () => (await quota(0).tryAcquire()).allowed).toBe(true);
    await quota(1).release(taken);
  });

  it("takes a credential key after the groups; the answer then speaks for the key alone", async () => {
    const { call, context, events } = await setup([
      {
        match: API,
        quota: "pool",
        limits: [tokenBucket({ rate: 1000 })],
        credentials: {
          header: "x-key",
          keys: [{ id: "k1", secret: "s1", limits: [concurrency({ limit: 2 })] }],
        },
      },
    ]);
    const slots = await acquireSlots(call, context);
    expect(slots.key?.id).toBe("k1");
    expect(slots.held.map((h) => [h.quota.name, h.leased, h.ofKey])).toEqual([
      ["pool", false, false],
      ["pool:key:k1", true, true],
    ]);
    expect(answeredBy(slots).map((h) => h.quota.name)).toEqual(["pool:key:k1"]);
    // Free slots: the store's answers are round trips, not waits.
    expect(events).toEqual([]);
  });

  it("emits no wait for free slots, however long the store takes to answer", async () => {
    const { call, context, events } = await setup(
      [
        { match: API, quota: "a", limits: [concurrency({ limit: 2 })] },
        { match: API, quota: "b", limits: [tokenBucket({ rate: 1000 })] },
      ],
      undefined,
      new StoreLimiter(distantStore(20)),
    );
    const started = performance.now();
    await acquireSlots(call, context);
    // Two round trips of 20 ms each (a timer may fire up to 1 ms early).
    expect(performance.now() - started).toBeGreaterThanOrEqual(38);
    expect(events).toEqual([]);
    // Between the store's answer and the grant only promise callbacks run: far below 1 ms.
    expect(context.stats.snapshot().a?.waitedMs).toBeLessThan(1);
  });

  it("emits one wait, as long as the slot wait, for a slot reserved ahead", async () => {
    const { call, context, events, quota } = await setup([
      { match: API, quota: "a", limits: [tokenBucket({ rate: 5, burst: 1 })] },
    ]);
    await quota(0).acquire();
    const started = performance.now();
    const slots = await acquireSlots(call, context);
    const elapsedMs = performance.now() - started;
    const { retryAfterMs } = (slots.held[0] as Held).grant;
    // At 5/s the next slot comes 200 ms after the one taken (less the moments in between).
    expect(retryAfterMs).toBeGreaterThan(100);
    expect(events).toEqual([{ type: "wait", quota: "a", waitedMs: expect.any(Number), method: "GET", url: API }]);
    const { waitedMs } = events[0] as WaitEvent;
    // retryAfterMs is rounded up to a whole ms, and a timer may fire up to 1 ms early.
    expect(waitedMs).toBeGreaterThan(retryAfterMs - 2);
    expect(waitedMs).toBeLessThanOrEqual(elapsedMs);
  });
});
