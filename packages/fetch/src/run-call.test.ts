import { concurrency, createMemoryLimiter, type Quota } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { isRetryAfterTooLongError } from "./errors/retry-after-too-long-error.js";
import type { Call, FetchContext } from "./fetch-call.js";
import type { FetchEvent } from "./fetch-event.js";
import { StatsTable } from "./fetch-stats.js";
import type { FetchOptions, RouteOptions } from "./options.js";
import { prepareRequest } from "./prepare-request.js";
import { resolveOptions } from "./resolve-options.js";
import { RouteTable } from "./route-table.js";
import { runCall } from "./run-call.js";

const API = "https://api.example.test/";
const oneAtATime: RouteOptions = { match: API, quota: "one", limits: [concurrency({ limit: 1 })] };

/** A call through a quota of one concurrent slot, sent with `send`. */
async function setup(send: (request: Request) => Promise<Response>, options: Partial<FetchOptions> = {}) {
  const limiter = createMemoryLimiter();
  const routes = options.routes ?? [oneAtATime];
  const events: FetchEvent[] = [];
  const controller = new AbortController();
  const context: FetchContext = {
    config: resolveOptions({ limiter, routes, fetch: send as typeof fetch, retry: { baseDelay: 1 }, ...options }),
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
    signal: controller.signal,
    groups: plan.groups.map((group) => group.name),
  };
  const quota = plan.groups[0]?.quota as Quota;
  // Read from the state: a pause (a 503's) would deny a try whether the slot is free or not.
  const slotFree = async (): Promise<boolean> => (await quota.state()).limits[0]?.remaining === 1;
  return { call, context, events, controller, slotFree };
}

describe("runCall", () => {
  it("holds the concurrency slot until the caller has read the answer", async () => {
    const { call, context, slotFree } = await setup(async () => new Response("ok"));
    const response = await runCall(call, context);
    expect(await slotFree()).toBe(false);
    expect(await response.text()).toBe("ok");
    await expect.poll(slotFree).toBe(true);
    expect(context.stats.snapshot().one).toMatchObject({ sent: 1, retried: 0 });
  });

  it("retries a network error, counting and reporting the retry, on a new slot", async () => {
    const answers = [new TypeError("fetch failed"), new Response("ok")];
    const { call, context, events } = await setup(async () => {
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next as Response;
    });
    expect(await (await runCall(call, context)).text()).toBe("ok");
    expect(events.filter((event) => event.type === "retry")).toEqual([
      expect.objectContaining({ attempt: 1, reason: "network", method: "GET", url: API }),
    ]);
    expect(context.stats.snapshot().one).toMatchObject({ sent: 2, retried: 1 });
  });

  it("throws the signal's reason when the call is aborted while sending, and gives the slot back", async () => {
    const { call, context, controller, slotFree } = await setup(
      (request) =>
        new Promise((_, reject) => {
          request.signal.addEventListener("abort", () => reject(new TypeError("fetch failed")));
        }),
    );
    const running = runCall(call, context);
    setTimeout(() => controller.abort(new Error("caller gave up")), 10);
    await expect(running).rejects.toThrow("caller gave up");
    await expect.poll(slotFree).toBe(true);
    expect(context.stats.snapshot().one).toMatchObject({ sent: 1, retried: 0 });
  });

  it("throws a verdict's error after giving the slot back", async () => {
    const { call, context, slotFree } = await setup(
      async () => new Response("", { status: 503, headers: { "retry-after": "60" } }),
    );
    await expect(runCall(call, context)).rejects.toSatisfy(isRetryAfterTooLongError);
    await expect.poll(slotFree).toBe(true);
  });

  it("does not retry a credential that makes no valid header, and never shows the secret", async () => {
    const routes: RouteOptions[] = [
      {
        match: API,
        quota: "pool",
        credentials: {
          header: "x-key",
          keys: [{ id: "k1", secret: "bad\nsecret", limits: [concurrency({ limit: 1 })] }],
        },
      },
    ];
    let sent = 0;
    const { call, context } = await setup(
      async () => {
        sent++;
        return new Response("ok");
      },
      { routes },
    );
    const error = await runCall(call, context).catch((e: unknown) => e);
    expect(String(error)).toContain('key "k1"');
    expect(String(error)).not.toContain("secret");
    expect(sent).toBe(0);
  });
});
