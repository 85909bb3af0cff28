import { concurrency, createMemoryLimiter, slidingWindow, tokenBucket } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { createFetch } from "./create-fetch.js";
import { isRequestTimeoutError } from "./errors/request-timeout-error.js";
import { isUnmatchedRequestError } from "./errors/unmatched-request-error.js";
import type { FetchEvent } from "./fetch-event.js";

type Answer = Response | Error | ((request: Request) => Response | Error);

/** A fake fetch answering from a script, recording every request (with its body as text). */
function scripted(...answers: Answer[]) {
  const seen: Array<{ request: Request; body: string }> = [];
  const fake = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    seen.push({ request, body: await request.text() });
    const next = answers.length > 1 ? answers.shift() : answers[0];
    const answer = typeof next === "function" ? next(request) : next;
    if (answer === undefined) throw new Error("script ran out");
    if (answer instanceof Error) throw answer;
    // A clone of a fixed answer; a function's answer is fresh (a clone's body is a tee, whose
    // cancel waits for the other branch).
    return typeof next === "function" ? answer : answer.clone();
  };
  return { fetch: fake as typeof fetch, seen };
}

const API = "https://api.example.test/";
const fast = { baseDelay: 1, maxDelay: 50 };
const route = (quota = "example") => ({ match: API, quota, limits: [tokenBucket({ rate: 1000 })] });

describe("createFetch", () => {
  it("has the signature of the global fetch and works in its simplest form", async () => {
    const { fetch, seen } = scripted(new Response("hello"));
    const limitedFetch: typeof globalThis.fetch = createFetch({
      limiter: createMemoryLimiter(),
      fetch,
      routes: [{ match: API, quota: "example", limits: [slidingWindow({ limit: 100, window: "1s" })] }],
    });
    const res = await limitedFetch(`${API}v2/items/1`);
    expect(await res.text()).toBe("hello");
    expect(seen[0]?.request.url).toBe(`${API}v2/items/1`);
  });

  it("passes unmatched requests untouched, or rejects them with a typed error", async () => {
    const { fetch, seen } = scripted(new Response("other"));
    const pass = createFetch({ limiter: createMemoryLimiter(), fetch, routes: [route()] });
    expect(await (await pass("https://other.test/x")).text()).toBe("other");
    expect(seen).toHaveLength(1);
    expect(pass.stats()).toEqual({});

    const reject = createFetch({ limiter: createMemoryLimiter(), fetch, routes: [route()], unmatched: "reject" });
    const error = await reject("https://other.test/x?token=abc", { method: "POST" }).catch((e: unknown) => e);
    expect(isUnmatchedRequestError(error)).toBe(true);
    expect(error).toMatchObject({ code: "UNMATCHED_REQUEST", method: "POST", url: "https://other.test/x" });
    expect(String(error)).not.toContain("token=abc");
  });

  it("retries 503 with backoff and resends a buffered body byte for byte", async () => {
    const events: FetchEvent[] = [];
    const { fetch, seen } = scripted(new Response("busy", { status: 503 }), new Response("done", { status: 201 }));
    const limitedFetch = createFetch({
      limiter: createMemoryLimiter(),
      fetch,
      retry: fast,
      onEvent: (event) => events.push(event),
      routes: [route()],
    });
    const form = new URLSearchParams({ a: "1", b: "two" });
    const res = await limitedFetch(`${API}items?x=1`, { method: "POST", body: form, headers: { "x-trace": "t1" } });
    expect(res.status).toBe(201);
    expect(seen.map((s) => s.body)).toEqual(["a=1&b=two", "a=1&b=two"]);
    expect(seen[1]?.request.headers.get("content-type")).toContain("application/x-www-form-urlencoded");
    expect(seen[1]?.request.headers.get("x-trace")).toBe("t1");
    // `wait` events are left out: on a busy machine even a free slot can take a millisecond.
    expect(events.filter((event) => event.type !== "wait")).toEqual([
      expect.objectContaining({ type: "retry", attempt: 1, reason: 503, method: "POST", url: `${API}items` }),
    ]);
    expect(limitedFetch.stats().example).toMatchObject({ sent: 2, retried: 1, rateLimited: 0 });
  });

  it("retries 502/504 and network errors only for idempotent methods unless nonIdempotent", async () => {
    const make = (nonIdempotent: boolean, ...answers: Answer[]) => {
      const script = scripted(...answers);
      const limitedFetch = createFetch({
        limiter: createMemoryLimiter(),
        fetch: script.fetch,
        retry: { ...fast, nonIdempotent },
        routes: [route()],
      });
      return { limitedFetch, seen: script.seen };
    };
    const post = make(false, new Response("", { status: 502 }), new Response("ok"));
    expect((await post.limitedFetch(API, { method: "POST", body: "x" })).status).toBe(502);
    expect(post.seen).toHaveLength(1);

    const put = make(false, new Response("", { status: 504 }), new Response("ok"));
    expect((await put.limitedFetch(API, { method: "PUT", body: "x" })).status).toBe(200);
    expect(put.seen).toHaveLength(2);

    const postOptIn = make(true, new Response("", { status: 502 }), new Response("ok"));
    expect((await postOptIn.limitedFetch(API, { method: "POST", body: "x" })).status).toBe(200);

    const failure = new TypeError("fetch failed");
    const getNet = make(false, failure, new Response("ok"));
    expect((await getNet.limitedFetch(API)).status).toBe(200);
    const postNet = make(false, failure, new Response("ok"));
    await expect(postNet.limitedFetch(API, { method: "POST", body: "x" })).rejects.toBe(failure);
    expect(postNet.seen).toHaveLength(1);
  });

  it("gives back the last answer when retries run out", async () => {
    const { fetch, seen } = scripted(new Response("slow down", { status: 429 }));
    const limitedFetch = createFetch({
      limiter: createMemoryLimiter(),
      fetch,
      retry: { ...fast, limit: 2 },
      routes: [route()],
    });
    const res = await limitedFetch(API);
    expect(res.status).toBe(429);
    expect(await res.text()).toBe("slow down");
    expect(seen).toHaveLength(3);
    expect(limitedFetch.stats().example).toMatchObject({ sent: 3, retried: 2, rateLimited: 3 });
  });

  it("stops retrying when the next try would pass maxElapsed", async () => {
    const { fetch, seen } = scripted(new Response("", { status: 503, headers: { "retry-after": "1" } }));
    const limitedFetch = createFetch({
      limiter: createMemoryLimiter(),
      fetch,
      retry: { maxElapsed: 500, maxDelay: "5s" },
      routes: [route()],
    });
    expect((await limitedFetch(API)).status).toBe(503);
    expect(seen).toHaveLength(1);
  });

  it("sends a stream body once and never retries it", async () => {
    const { fetch, seen } = scripted(new Response("", { status: 503 }), new Response("ok"));
    const limitedFetch = createFetch({ limiter: createMemoryLimiter(), fetch, retry: fast, routes: [route()] });
    const body = new Blob(["streamed"]).stream();
    const res = await limitedFetch(API, { method: "PUT", body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(503);
    expect(seen.map((s) => s.body)).toEqual(["streamed"]);
  });

  it("times out while waiting for a slot, giving it back", async () => {
    const { fetch, seen } = scripted(new Response("ok"));
    const limiter = createMemoryLimiter();
    const limits = [slidingWindow({ limit: 1, window: "10s" })];
    const limitedFetch = createFetch({ limiter, fetch, timeout: 30, routes: [{ match: API, quota: "t", limits }] });
    await limitedFetch(API);
    const error = await limitedFetch(API).catch((e: unknown) => e);
    expect(isRequestTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: "REQUEST_TIMEOUT", timeoutMs: 30 });
    expect(seen).toHaveLength(1);
    const state = await limiter.quota("t", { limits }).state();
    expect(state.limits[0]?.resetAt).toBeLessThan(state.redisTime + 10_001);
  });

  it("spends every matching route, one acquire per quota name", async () => {
    const { fetch } = scripted(new Response("ok"));
    const limiter = createMemoryLimiter();
    const app = slidingWindow({ limit: 1000, window: "1h" });
    const endpoint = slidingWindow({ limit: 100, window: "1m" });
    const other = tokenBucket({ rate: 10 });
    const limitedFetch = createFetch({
      limiter,
      fetch,
      routes: [
        { match: API, quota: "tiktok", limits: [app] },
        {
          match: { host: "api.example.test", path: "/v2/video/*", method: "GET" },
          quota: "tiktok",
          limits: [endpoint],
        },
        { match: { path: "/v2/**" }, quota: "elsewhere", limits: [other] },
      ],
    });
    await limitedFetch(`${API}v2/video/list`);
    await limitedFetch(`${API}v1/user`);
    const remaining = async (rule: typeof app) =>
      (await limiter.quota("tiktok", { limits: [rule] }).state()).limits[0]?.remaining;
    expect(await remaining(app)).toBe(998);
    expect(await remaining(endpoint)).toBe(99);
    expect(limitedFetch.stats()).toEqual({
      tiktok: expect.objectContaining({ sent: 2 }),
      elsewhere: expect.objectContaining({ sent: 1 }),
    });
  });

  it("releases a concurrency slot once the body is read, not before", async () => {
    const { fetch } = scripted(() => new Response("body"));
    const limiter = createMemoryLimiter();
    const limits = [concurrency({ limit: 1 })];
    const limitedFetch = createFetch({ limiter, fetch, routes: [{ match: API, quota: "cc", limits }] });
    const quota = limiter.quota("cc", { limits });
    const res = await limitedFetch(API);
    expect((await quota.tryAcquire()).allowed).toBe(false);
    expect(await res.text()).toBe("body");
    await expect.poll(async () => (await quota.state()).limits[0]?.remaining).toBe(1);
    const second = await limitedFetch(API);
    await second.body?.cancel();
    await expect.poll(async () => (await quota.state()).limits[0]?.remaining).toBe(1);
  });

  it("pauses the group on 503 with Retry-After; learns from a 429 within the window instead of pausing", async () => {
    const limiter = createMemoryLimiter();
    const limits = [tokenBucket({ rate: 1000 })];
    const { fetch } = scripted(
      new Response("", { status: 503, headers: { "retry-after": "0.05" } }),
      new Response("", { status: 429, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0.08" } }),
      new Response("ok"),
    );
    const events: FetchEvent[] = [];
    const limitedFetch = createFetch({
      limiter,
      fetch,
      onEvent: (event) => events.push(event),
      routes: [{ match: API, quota: "p", limits }],
    });
    const started = performance.now();
    expect((await limitedFetch(API)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    // Nothing measured lateness, so spend outside Sluice explains the 429: the share falls and
    // the request goes again at its next slot; the quota is not paused.
    expect(events.filter((e) => e.type === "retry").map((e) => e.type === "retry" && e.delayMs)).toEqual([50, 0]);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "rate-limited", quotas: [], waitMs: 80, cause: "outside-spend" }),
    );
    const state = await limiter.quota("p", { limits }).state();
    expect(state.pausedUntil).toBeUndefined();
    expect(state.arrival?.share).toBe(0.8);
  });

  it("with a fixed arrival margin, pauses the group on every 429 for the server's wait", async () => {
    const limiter = createMemoryLimiter();
    const limits = [tokenBucket({ rate: 1000 })];
    const { fetch } = scripted(
      new Response("", { status: 429, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0.08" } }),
      new Response("ok"),
    );
    const events: FetchEvent[] = [];
    const limitedFetch = createFetch({
      limiter,
      fetch,
      arrivalMargin: "5ms",
      onEvent: (event) => events.push(event),
      routes: [{ match: API, quota: "f", limits }],
    });
    const started = performance.now();
    expect((await limitedFetch(API)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "rate-limited", quotas: ["f"], waitMs: 80, cause: "server-wait" }),
    );
  });

  it("pauses the group until reset when a 200 says nothing is left, unless onExhausted is ignore", async () => {
    const spent = () =>
      new Response("ok", { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset-after": "0.2" } });
    for (const onExhausted of ["pause", "ignore"] as const) {
      const limiter = createMemoryLimiter();
      const limits = [tokenBucket({ rate: 1000 })];
      const events: FetchEvent[] = [];
      const limitedFetch = createFetch({
        limiter,
        fetch: scripted(spent).fetch,
        onExhausted,
        onEvent: (event) => events.push(event),
        routes: [{ match: API, quota: "t", limits }],
      });
      expect((await limitedFetch(API)).status).toBe(200);
      const state = await limiter.quota("t", { limits }).state();
      if (onExhausted === "pause") {
        expect(state.pausedUntil).toBeGreaterThan(state.redisTime + 150);
        expect(events).toContainEqual(
          expect.objectContaining({ type: "exhausted", quotas: ["t"], waitMs: 200, status: 200, keyId: undefined }),
        );
      } else {
        expect(state.pausedUntil).toBeUndefined();
        expect(events.filter((e) => e.type === "exhausted")).toEqual([]);
      }
    }
  });

  it("rejects with the abort reason while waiting to retry and during the request", async () => {
    const reason = new Error("caller gave up");
    const retrying = scripted(new Response("", { status: 503 }));
    const slowRetry = createFetch({
      limiter: createMemoryLimiter(),
      fetch: retrying.fetch,
      retry: { baseDelay: "10s", maxDelay: "10s" },
      routes: [route()],
      onEvent: (event) => {
        if (event.type === "retry") controller.abort(reason);
      },
    });
    let controller = new AbortController();
    await expect(slowRetry(API, { signal: controller.signal })).rejects.toBe(reason);

    const hanging = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const { signal } = new Request(input, init);
      return new Promise<Response>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    }) as typeof globalThis.fetch;
    const inFlight = createFetch({ limiter: createMemoryLimiter(), fetch: hanging, routes: [route()] });
    controller = new AbortController();
    const pending = inFlight(API, { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("gives a concurrency slot back when the request fails", async () => {
    const limiter = createMemoryLimiter();
    const limits = [concurrency({ limit: 1 })];
    const { fetch } = scripted(new TypeError("fetch failed"));
    const limitedFetch = createFetch({ limiter, fetch, retry: false, routes: [{ match: API, quota: "cf", limits }] });
    await expect(limitedFetch(API)).rejects.toThrow("fetch failed");
    await expect.poll(async () => (await limiter.quota("cf", { limits }).state()).limits[0]?.remaining).toBe(1);
  });

  it("ignores errors thrown by onEvent", async () => {
    const { fetch } = scripted(new Response("", { status: 503 }), new Response("ok"));
    const limitedFetch = createFetch({
      limiter: createMemoryLimiter(),
      fetch,
      retry: fast,
      routes: [route()],
      onEvent: () => {
        throw new Error("observer bug");
      },
    });
    expect((await limitedFetch(API)).status).toBe(200);
  });
});

describe("createFetch options", () => {
  const limiter = createMemoryLimiter();
  const ok = { limiter, routes: [route()] };

  it.each([
    [{ ...ok, limiter: {} }, "Expected `limiter` to be a Limiter"],
    [{ ...ok, routes: [] }, "Expected `routes` to be a non-empty array of routes, got `[object Array]` (object)"],
    [{ ...ok, unmatched: "drop" }, 'Expected `unmatched` to be "pass" or "reject", got `"drop"` (string)'],
    [{ ...ok, retry: { limit: -1 } }, "Expected `retry.limit` to be an integer from 0 to 100, got `-1` (number)"],
    [{ ...ok, retry: { maxDelay: "soon" } }, "Expected `retry.maxDelay` to be a duration"],
    [{ ...ok, timeout: 0 }, "Expected `timeout` to be a duration from 1 ms"],
    [{ ...ok, maxLateness: -5 }, "Expected `maxLateness` to be a duration"],
    [
      { ...ok, routes: [{ ...route(), match: "api.example.test" }] },
      "Expected `routes[0].match` to be an absolute URL prefix",
    ],
    [{ ...ok, routes: [{ ...route(), match: { path: "v2" } }] }, "Expected `routes[0].match.path` to be a path glob"],
    [
      { ...ok, routes: [{ ...route(), match: { method: [] } }] },
      "Expected `routes[0].match.method` to be an HTTP method",
    ],
    [{ ...ok, routes: [{ ...route(), quota: "" }] }, "Expected `routes[0].quota` to be a non-empty string"],
    [{ ...ok, routes: [{ ...route(), limits: [] }] }, "Expected `routes[0].limits` to be a non-empty array of rules"],
    [{ ...ok, routes: [{ ...route(), limits: [{}] }] }, "Expected `routes[0].limits[0]` to be a rule made by"],
    [
      { ...ok, routes: [{ ...route(), credentials: { header: "bad header", keys: [] } }] },
      "Expected `routes[0].credentials.header` to be a header name",
    ],
    [
      {
        ...ok,
        routes: [{ ...route(), credentials: { header: "x-key", keys: [{ id: "a", secret: "s", limits: [] }] } }],
      },
      "Expected `routes[0].credentials.keys[0].limits` to be a non-empty array of rules",
    ],
  ])("rejects bad options with a TypeError naming them (%#)", (options, message) => {
    expect(() => createFetch(options as never)).toThrow(TypeError);
    expect(() => createFetch(options as never)).toThrow(message);
  });

  it("rejects two routes of one quota holding the same rule, naming both", () => {
    const rule = slidingWindow({ limit: 100, window: "1m" });
    expect(() =>
      createFetch({
        limiter,
        routes: [
          { match: `${API}a/`, quota: "same", limits: [rule] },
          { match: `${API}b/`, quota: "same", limits: [rule] },
        ],
      }),
    ).toThrow(
      /routes\[0\] \(match "https:\/\/api\.example\.test\/a\/"\) and routes\[1\] .*slidingWindow\(100 per 60000 ms\)/,
    );
    expect(() =>
      createFetch({
        limiter,
        routes: [
          { match: `${API}a/`, quota: "one", limits: [rule] },
          { match: `${API}b/`, quota: "two", limits: [rule] },
        ],
      }),
    ).not.toThrow();
  });
});
