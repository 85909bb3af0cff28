import { fixedWindow, slidingWindow } from "@sluice/core";
import { createFetch } from "@sluice/fetch";
import { createLimiter } from "@sluice/node";
import { expect, it } from "vitest";
import { worstWindow } from "../../tools/worst-window.js";
import { connectRedis, randomPrefix } from "../support/redis-clients";
import { type Arrival, startLimitedServer } from "./support/limited-server";

/** The most arrivals in one epoch-aligned window of `windowMs`. */
function worstFixed(times: readonly number[], windowMs: number): number {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / windowMs), (counts.get(Math.floor(t / windowMs)) ?? 0) + 1);
  return Math.max(...counts.values());
}

// TikTok's table, scaled from hours to a second so the test is quick: an app limit that resets
// at fixed instants (1000/hour -> 12 per 1 s fixed window) over every endpoint, and per-endpoint
// sliding limits (/user/info/ 10/min -> 8 per 1 s, /video/list/ 5/min -> 4 per 1 s). The app
// limit binds (8 + 4 > 12 would not, so traffic is skewed to make both endpoints wait).
it("a TikTok-shaped route table: no 429, each endpoint within its limit, the app limit across both", async () => {
  const api = await startLimitedServer({
    limit: 10_000,
    windowMs: 1000,
    limits: [
      { name: "app", limit: 12, windowMs: 1000, kind: "fixed" },
      { name: "user", limit: 8, windowMs: 1000, kind: "sliding", paths: (p) => p === "/user/info/" },
      { name: "video", limit: 4, windowMs: 1000, kind: "sliding", paths: (p) => p === "/video/list/" },
    ],
  });
  const redis = connectRedis();
  const limiter = createLimiter({ redis, prefix: randomPrefix() });
  try {
    // One quota name for the whole table: a request spends the app limit and its endpoint's in
    // one atomic acquire. The sliding client windows are 10% longer than the server's (1.1 s
    // for its 1 s), a margin for the time between a slot and the request's arrival at the
    // server; the fixed window cannot be stretched (it resets at set instants), so it keeps the
    // server's figure.
    const limitedFetch = createFetch({
      limiter,
      routes: [
        { match: `${api.url}/`, quota: "tiktok", limits: [fixedWindow({ limit: 12, window: "1s" })] },
        { match: { path: "/user/info/" }, quota: "tiktok", limits: [slidingWindow({ limit: 8, window: "1.1s" })] },
        { match: { path: "/video/list/" }, quota: "tiktok", limits: [slidingWindow({ limit: 4, window: "1.1s" })] },
      ],
    });
    // Open sockets first (the server does not count /__warmup): a cold first burst arrives
    // spread out and would collide with the next window's requests at the server.
    await Promise.all(Array.from({ length: 12 }, () => fetch(`${api.url}/__warmup`).then((res) => res.arrayBuffer())));
    const paths = [...Array(24).fill("/user/info/"), ...Array(12).fill("/video/list/")] as string[];
    const started = performance.now();
    const responses = await Promise.all(paths.map((path, i) => limitedFetch(`${api.url}${path}?n=${i}`)));
    await Promise.all(responses.map((res) => res.text()));
    const elapsed = performance.now() - started;

    const at = (p: (a: Arrival) => boolean) => api.arrivals.filter((a) => a.status === 200 && p(a)).map((a) => a.at);
    const user = at((a) => a.path === "/user/info/");
    const video = at((a) => a.path === "/video/list/");
    const all = at(() => true);
    console.info(
      `TikTok table: 36 requests in ${Math.round(elapsed)} ms, server 429s ${api.rateLimited} ${JSON.stringify(api.refusedBy)}, ` +
        `worst app window ${worstFixed(all, 1000)}/12, worst /user/info/ ${worstWindow(user, 1000)}/8, worst /video/list/ ${worstWindow(video, 1000)}/4`,
    );
    expect(responses.every((res) => res.status === 200)).toBe(true);
    expect(api.rateLimited).toBe(0);
    expect(api.requests).toBe(36 + api.rateLimited);
    expect(worstWindow(user, 1000)).toBeLessThanOrEqual(8);
    expect(worstWindow(video, 1000)).toBeLessThanOrEqual(4);
    expect(worstFixed(all, 1000)).toBeLessThanOrEqual(12);
    // 36 at 12 per fixed window: at least 2 window boundaries crossed.
    expect(elapsed).toBeGreaterThan(1000);
  } finally {
    await api.close();
    limiter.close();
    redis.disconnect();
  }
});
