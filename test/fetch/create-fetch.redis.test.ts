import { slidingWindow, tokenBucket } from "@sluice/core";
import { createFetch, type FetchEvent, isNoCredentialAvailableError, isRetryAfterTooLongError } from "@sluice/fetch";
import { createLimiter, type Limiter } from "@sluice/node";
import type { Redis } from "ioredis";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectRedis, randomPrefix } from "../support/redis-clients";
import { type LimitedServer, startLimitedServer } from "./support/limited-server";

let redis: Redis;
let limiter: Limiter;
const servers: LimitedServer[] = [];

beforeAll(async () => {
  // Node loads its fetch implementation on first use; a refused connection pays that once here,
  // so it does not land as latency on the first measured batch.
  await fetch("http://127.0.0.1:1/").catch(() => {});
});

beforeEach(() => {
  redis = connectRedis();
  limiter = createLimiter({ redis, prefix: randomPrefix() });
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  limiter.close();
  redis.disconnect();
});

async function server(options: Parameters<typeof startLimitedServer>[0]): Promise<LimitedServer> {
  const started = await startLimitedServer(options);
  servers.push(started);
  // Opens sockets before the measured burst (the server does not count /__warmup): a cold burst
  // arrives spread out and collides at the server with the next window's requests.
  await Promise.all(
    Array.from({ length: 20 }, () => fetch(`${started.url}/__warmup`).then((res) => res.arrayBuffer())),
  );
  return started;
}

/** Resolves when `predicate` holds for an event, so tests wait on what happened, not on time. */
function eventLog(): {
  events: FetchEvent[];
  onEvent: (event: FetchEvent) => void;
  next(p: (e: FetchEvent) => boolean): Promise<FetchEvent>;
} {
  const events: FetchEvent[] = [];
  const waiters: Array<{ p: (e: FetchEvent) => boolean; resolve: (e: FetchEvent) => void }> = [];
  return {
    events,
    onEvent: (event) => {
      events.push(event);
      for (const waiter of waiters.splice(0)) {
        if (waiter.p(event)) waiter.resolve(event);
        else waiters.push(waiter);
      }
    },
    next: (p) => new Promise((resolve) => waiters.push({ p, resolve })),
  };
}

describe("createFetch against a strictly limited server, quotas in Redis", () => {
  // Slots are decided on Redis's clock, but the server counts arrivals: a request admitted at t
  // arrives at t + latency, and latency varies (cold sockets, event-loop turns). With exactly the
  // server's window, a late first batch and a prompt next batch overlap. So the client keeps the
  // server's count with a window 10% longer; the next test shows what happens without margin.
  it("sends N concurrent requests at the server's limit (window + 10%) without a single 429", async () => {
    const api = await server({ limit: 20, windowMs: 1000 });
    const limitedFetch = createFetch({
      limiter,
      routes: [{ match: `${api.url}/`, quota: "strict", limits: [slidingWindow({ limit: 20, window: "1100ms" })] }],
    });
    // Sockets open before the count starts: 20 connections opened at once make the first batch
    // arrive late on a busy machine, into the next batch's server window.
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${api.url}/__warmup`).then((res) => res.text())));
    const started = performance.now();
    const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => limitedFetch(`${api.url}/items/${i}`)));
    const elapsed = performance.now() - started;
    const bodies = await Promise.all(responses.map((res) => res.text()));
    expect(responses.every((res) => res.status === 200)).toBe(true);
    expect(bodies[7]).toBe("ok GET /items/7 ");
    expect(api.rateLimited).toBe(0);
    expect(api.requests).toBe(60);
    expect(limitedFetch.stats().strict).toMatchObject({ sent: 60, retried: 0, rateLimited: 0 });
    expect(limitedFetch.stats().strict?.waitedMs).toBeGreaterThan(0);
    // 60 at 20 per 1.1 s: the last 20 cannot go before 2.2 s.
    expect(elapsed).toBeGreaterThan(2190);
    console.info(`60 requests at 20/1.1s: ${Math.round(elapsed)} ms, server 429s: ${api.rateLimited}`);
  });

  it("at exactly the server's window, absorbs the 429s latency causes: every request succeeds", async () => {
    const api = await server({ limit: 20, windowMs: 1000 });
    const limitedFetch = createFetch({
      limiter,
      routes: [{ match: `${api.url}/`, quota: "exact", limits: [slidingWindow({ limit: 20, window: "1s" })] }],
    });
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => limitedFetch(`${api.url}/items/${i}`)));
    await Promise.all(responses.map((res) => res.text()));
    expect(responses.every((res) => res.status === 200)).toBe(true);
    const stats = limitedFetch.stats().exact;
    expect(stats?.rateLimited).toBe(api.rateLimited);
    expect(stats?.sent).toBe(40 + api.rateLimited);
    console.info(
      `40 requests at exactly 20/1s: server 429s ${api.rateLimited}, all 40 succeeded after pause and retry`,
    );
  });

  it.each(["seconds", "date"] as const)(
    "with a fixed margin, on 429 with Retry-After as %s, pauses the quota for every process and succeeds after it",
    async (form) => {
      let retryAt = 0;
      const api = await server({
        limit: 100,
        windowMs: 1000,
        script: (n) => {
          if (n !== 1) return undefined;
          const now = Date.now();
          if (form === "seconds") {
            retryAt = now + 1000;
            return { status: 429, headers: { "retry-after": "1" } };
          }
          retryAt = Math.ceil(now / 1000) * 1000 + 1000;
          return { status: 429, headers: { "retry-after": new Date(retryAt).toUTCString() } };
        },
      });
      const log = eventLog();
      const route = { match: `${api.url}/`, quota: `paused-${form}`, limits: [tokenBucket({ rate: 100 })] };
      // A fixed margin learns nothing: every 429 pauses the quota, as the server asks.
      const first = createFetch({ limiter, routes: [route], arrivalMargin: "5ms", onEvent: log.onEvent });
      // A second fetch on the same quota plays another process.
      const other = createFetch({ limiter, routes: [route], arrivalMargin: "5ms" });

      const pending = first(`${api.url}/a`);
      await log.next((event) => event.type === "retry");
      const [a, b] = await Promise.all([pending, other(`${api.url}/b`)]);

      expect([a.status, b.status]).toEqual([200, 200]);
      expect(api.rateLimited).toBe(1);
      const after = api.arrivals.slice(1);
      expect(after).toHaveLength(2);
      // Server clock: nothing reached it before the time it named (date form: to the second).
      for (const arrival of after) expect(arrival.at).toBeGreaterThanOrEqual(retryAt - (form === "seconds" ? 15 : 0));
      const limited = log.events.find((event) => event.type === "rate-limited");
      expect(limited).toMatchObject({ quotas: [`paused-${form}`], keyId: undefined, cause: "server-wait" });
      expect(first.stats()[`paused-${form}`]).toMatchObject({ sent: 2, retried: 1, rateLimited: 1 });
    },
  );

  it("learning (the default), a 429 with Retry-After: 1 pauses nobody; the late arrivals it proves widen the margin", async () => {
    const api = await server({
      limit: 100,
      windowMs: 1000,
      script: (n) => (n === 2 ? { status: 429, headers: { "retry-after": "1" } } : undefined),
    });
    const log = eventLog();
    const limits = [slidingWindow({ limit: 100, window: "1s" })];
    const route = { match: `${api.url}/`, quota: "learning", limits };
    const first = createFetch({ limiter, routes: [route], onEvent: log.onEvent });
    const other = createFetch({ limiter, routes: [route] });
    const quota = limiter.quota("learning", { limits });
    // A grant answered 80 ms after its slot: the lateness processes report is above the 25 ms margin.
    const grant = await quota.acquire();
    await new Promise((resolve) => setTimeout(resolve, 80));
    await quota.feedback(grant, { status: 200 });
    await (await first(`${api.url}/a`)).text();
    const started = performance.now();
    const [b, c] = await Promise.all([first(`${api.url}/b`), other(`${api.url}/c`)]);
    expect([b.status, c.status]).toEqual([200, 200]);
    // Neither waited for the server's second: the retry took its next slot.
    expect(performance.now() - started).toBeLessThan(900);
    expect(api.rateLimited).toBe(1);
    expect(log.events).toContainEqual(
      expect.objectContaining({ type: "rate-limited", quotas: [], cause: "delay-spread" }),
    );
    const state = await quota.state();
    expect(state.pausedUntil).toBeUndefined();
    expect(state.arrival?.marginMs).toBeGreaterThanOrEqual(80);
    expect(state.arrival?.share).toBe(1);
  });

  it.each(["pause", "ignore"] as const)(
    "a rival outside Sluice spends the quota; a 200 saying remaining 0 (onExhausted %s)",
    async (onExhausted) => {
      const api = await server({ limit: 5, windowMs: 1000, resetOnSuccess: true });
      const route = { match: `${api.url}/`, quota: "rival", limits: [slidingWindow({ limit: 5, window: "1.1s" })] };
      const log = eventLog();
      const first = createFetch({ limiter, routes: [route], onExhausted, onEvent: log.onEvent });
      // A second fetch on the same quota plays another process.
      const other = createFetch({ limiter, routes: [route], onExhausted });
      // The rival spends 4 of the server's 5: Sluice's shared state still believes 5 remain.
      for (let i = 0; i < 4; i++) await (await fetch(`${api.url}/rival/${i}`)).text();
      const res = await first(`${api.url}/a`);
      expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
      await res.text();
      const b = await other(`${api.url}/b`);
      await b.text();
      expect(b.status).toBe(200);
      const state = await limiter.quota("rival", { limits: route.limits }).state();
      if (onExhausted === "pause") {
        // The shared window was spent down to the server's figure (its limit matches the
        // server's X-RateLimit-Limit), so the other process waited for the rival's units to
        // leave instead of meeting a 429, with no pause.
        expect(api.rateLimited).toBe(0);
        expect(log.events.filter((event) => event.type === "exhausted")).toEqual([]);
        expect(state.pausedUntil).toBeUndefined();
        const arrivals = api.arrivals.filter((a) => a.path === "/b");
        expect(arrivals).toHaveLength(1);
        expect((arrivals[0]?.at as number) - (api.arrivals[0]?.at as number)).toBeGreaterThanOrEqual(1000);
      } else {
        // Ignoring the signal: each 429 that spend outside Sluice explains lowers the share of
        // the limit (to 4, then 3 of 5); the retry at the next slot meets the rival's units
        // once more, then waits for Sluice's own first unit to leave the window.
        expect(api.rateLimited).toBe(2);
        expect(other.stats().rival).toMatchObject({ rateLimited: 2, retried: 2 });
        expect(state.arrival?.share).toBe(0.64);
      }
    },
  );

  it("fails at once with RetryAfterTooLongError when the server asks for more than maxDelay", async () => {
    const api = await server({
      limit: 100,
      windowMs: 1000,
      script: () => ({ status: 429, headers: { "retry-after": "3600" } }),
    });
    const route = { match: `${api.url}/`, quota: "long", limits: [tokenBucket({ rate: 100 })] };
    const limitedFetch = createFetch({ limiter, routes: [route], retry: { maxDelay: "10s" } });
    const error = await limitedFetch(`${api.url}/x`).catch((e: unknown) => e);
    expect(isRetryAfterTooLongError(error)).toBe(true);
    expect(error).toMatchObject({ code: "RETRY_AFTER_TOO_LONG", waitMs: 3_600_000, status: 429 });
    expect(api.requests).toBe(1);
    // The pause is shared all the same.
    const state = await limiter.quota("long", { limits: route.limits }).state();
    expect(state.pausedUntil).toBeGreaterThan(state.redisTime + 3_590_000);
  });

  it("an abort while waiting for a slot rejects with the reason and gives the slot back", async () => {
    const api = await server({ limit: 100, windowMs: 1000 });
    const rule = slidingWindow({ limit: 1, window: "5s" });
    const quota = limiter.quota("abort", { limits: [rule] });
    const limitedFetch = createFetch({ limiter, routes: [{ match: `${api.url}/`, quota: "abort", limits: [rule] }] });

    await (await limitedFetch(`${api.url}/first`)).text();
    const before = (await quota.state()).limits[0]?.resetAt as number;

    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const waiting = limitedFetch(`${api.url}/second`, { signal: controller.signal });
    // The reservation shows in the shared state as soon as the slot is taken.
    for (;;) {
      const resetAt = (await quota.state()).limits[0]?.resetAt as number;
      if (resetAt > before + 1000) break;
    }
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);

    const after = await quota.state();
    expect(after.limits[0]?.resetAt).toBeCloseTo(before, 0);
    expect(api.requests).toBe(1);
  });

  it("a 3-key pool (tokenBucket 5/s each) gives about 3x the throughput of one key", async () => {
    const api = await server({ limit: 1000, windowMs: 1000, keyHeader: "x-access-key" });
    const keyLimits = [tokenBucket({ rate: 5, burst: 1 })];
    const pool = (ids: string[], quota: string) =>
      createFetch({
        limiter,
        routes: [
          {
            match: `${api.url}/`,
            quota,
            credentials: {
              header: "x-access-key",
              keys: ids.map((id) => ({ id, secret: `secret-${quota}-${id}`, limits: keyLimits })),
            },
          },
        ],
      });
    const one = pool(["k1"], "single");
    const three = pool(["k1", "k2", "k3"], "triple");
    const n = 20;
    const timed = async (f: typeof fetch, path: string): Promise<number> => {
      const started = performance.now();
      const responses = await Promise.all(Array.from({ length: n }, () => f(`${api.url}/${path}`)));
      await Promise.all(responses.map((res) => res.text()));
      expect(responses.every((res) => res.status === 200)).toBe(true);
      return performance.now() - started;
    };
    const [oneMs, threeMs] = await Promise.all([timed(one, "one"), timed(three, "three")]);
    const ratio = n / threeMs / (n / oneMs);
    console.info(
      `pool throughput: 1 key ${((n * 1000) / oneMs).toFixed(1)}/s (${Math.round(oneMs)} ms), 3 keys ${((n * 1000) / threeMs).toFixed(1)}/s (${Math.round(threeMs)} ms), ratio ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeGreaterThan(2.2);
    const perKey = ["k1", "k2", "k3"].map((id) => api.countFor(`secret-triple-${id}`));
    expect(perKey.reduce((a, b) => a + b)).toBe(n);
    for (const count of perKey) expect(count).toBeGreaterThanOrEqual(6);
  });

  it("quarantines a key answered with 401 and serves every request on the others", async () => {
    const api = await server({
      limit: 1000,
      windowMs: 1000,
      keyHeader: "authorization",
      refusedKeys: ["Bearer revoked"],
    });
    const log = eventLog();
    const limitedFetch = createFetch({
      limiter,
      onEvent: log.onEvent,
      routes: [
        {
          match: `${api.url}/`,
          quota: "auth",
          credentials: {
            header: "authorization",
            format: (secret) => `Bearer ${secret}`,
            keys: [
              { id: "good-1", secret: "good1", limits: [tokenBucket({ rate: 50 })] },
              { id: "bad", secret: "revoked", limits: [tokenBucket({ rate: 50 })] },
              { id: "good-2", secret: "good2", limits: [tokenBucket({ rate: 50 })] },
            ],
          },
        },
      ],
    });
    for (let i = 0; i < 9; i++) {
      const res = await limitedFetch(`${api.url}/r${i}`);
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(api.countFor("Bearer revoked")).toBe(1);
    const quarantines = log.events.filter((event) => event.type === "quarantine");
    expect(quarantines).toEqual([
      expect.objectContaining({ keyId: "bad", status: 401, quota: "auth", durationMs: 60_000 }),
    ]);
    expect(api.countFor("Bearer good1") + api.countFor("Bearer good2")).toBe(9);
  });

  it("never lets a secret reach an error, an event or the stats", async () => {
    const canary = "CANARY-7f3a9c-do-not-leak";
    const api = await server({
      limit: 1000,
      windowMs: 1000,
      keyHeader: "x-access-key",
      refusedKeys: [`${canary}-a`, `${canary}-b`],
      script: (n) => (n === 1 ? { status: 429, headers: { "retry-after": "0" } } : undefined),
    });
    const log = eventLog();
    const key = (id: string) => ({ id, secret: `${canary}-${id}`, limits: [tokenBucket({ rate: 100 })] });
    const routeWith = (quota: string, keys: ReturnType<typeof key>[], format?: (s: string) => string) => ({
      match: `${api.url}/`,
      quota,
      credentials: { header: "x-access-key", keys, ...(format ? { format } : {}) },
    });
    const errors: unknown[] = [];
    const fetches = [
      createFetch({ limiter, onEvent: log.onEvent, routes: [routeWith("canary", [key("a"), key("b"), key("c")])] }),
      createFetch({ limiter, onEvent: log.onEvent, routes: [routeWith("refused", [key("a"), key("b")])] }),
    ];
    const [mixed, refused] = fetches as [(typeof fetches)[0], (typeof fetches)[0]];
    // 429 on the first key, then refusals: every request still ends on key c.
    for (let i = 0; i < 4; i++) expect((await mixed(`${api.url}/x${i}`)).status).toBe(200);
    // Both keys refused: the first call gets the 401, the next finds the pool empty.
    expect((await refused(`${api.url}/y`)).status).toBe(401);
    await refused(`${api.url}/y`).catch((error: unknown) => errors.push(error));
    // A format that makes an invalid header value must not echo the secret.
    const badFormat = createFetch({ limiter, routes: [routeWith("format", [key("c")], (s) => `${s}\n${s}`)] });
    await badFormat(`${api.url}/z`).catch((error: unknown) => errors.push(error));
    // Nor may option validation.
    try {
      createFetch({ limiter, routes: [routeWith("q", [{ ...key("d"), secret: 42 as unknown as string }])] });
    } catch (error) {
      errors.push(error);
    }

    expect(errors.map((error) => (error as Error).name)).toEqual([
      "NoCredentialAvailableError",
      "TypeError",
      "TypeError",
    ]);
    expect(isNoCredentialAvailableError(errors[0])).toBe(true);
    const types = log.events.map((event) => `${event.type}:${"keyId" in event ? event.keyId : ""}`);
    expect(types).toEqual(expect.arrayContaining(["rate-limited:a", "quarantine:a", "quarantine:b"]));
    const dump = [
      ...errors.flatMap((error) => {
        const e = error as Error;
        return [String(e), e.stack ?? "", JSON.stringify(e), String(e.cause)];
      }),
      JSON.stringify(log.events),
      ...fetches.map((f) => JSON.stringify(f.stats())),
    ].join("\n");
    expect(dump).toContain('"keyId":"a"');
    expect(dump).not.toContain(canary);
    expect(api.countFor(`${canary}-c`)).toBeGreaterThanOrEqual(4);
  });
});
