import { concurrency, createMemoryLimiter, type Quota, tokenBucket } from "@sluice/core";
import { describe, expect, it } from "vitest";
import type { Call, FetchContext } from "./fetch-call.js";
import type { FetchEvent } from "./fetch-event.js";
import { StatsTable } from "./fetch-stats.js";
import { acquireSlots, answeredBy, deliver } from "./held-slots.js";
import type { RouteOptions } from "./options.js";
import { prepareRequest } from "./prepare-request.js";
import { resolveOptions } from "./resolve-options.js";
import { RouteTable } from "./route-table.js";

const API = "https://api.example.test/";

async function setup(routes: RouteOptions[], signal = new AbortController().signal) {
  const limiter = createMemoryLimiter();
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
    // Only waits of 1 ms or more become events.
    expect(events.every((event) => event.type === "wait" && event.waitedMs >= 1)).toBe(true);
  });
});
