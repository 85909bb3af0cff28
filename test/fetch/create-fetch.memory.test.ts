import { concurrency, createMemoryLimiter, slidingWindow } from "@sluice/core";
import { createFetch } from "@sluice/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LimitedServer, startLimitedServer } from "./support/limited-server";

let api: LimitedServer;

beforeAll(async () => {
  api = await startLimitedServer({ limit: 10, windowMs: 1000 });
});

afterAll(() => api.close());

describe("createFetch over an in-memory limiter", () => {
  it("works in its simplest form against a real server", async () => {
    const limitedFetch = createFetch({
      limiter: createMemoryLimiter(),
      routes: [{ match: `${api.url}/`, quota: "example", limits: [slidingWindow({ limit: 5, window: "1s" })] }],
    });
    const res = await limitedFetch(`${api.url}/v2/items/1`);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${api.url}/v2/items/1`);
    expect(await res.text()).toBe("ok GET /v2/items/1 ");
    const posted = await limitedFetch(new Request(`${api.url}/v2/items`, { method: "POST", body: '{"a":1}' }));
    expect(await posted.text()).toBe('ok POST /v2/items {"a":1}');
  });

  it("holds a concurrency slot until the body is consumed", async () => {
    const limiter = createMemoryLimiter();
    const limits = [concurrency({ limit: 1 })];
    const limitedFetch = createFetch({ limiter, routes: [{ match: `${api.url}/`, quota: "one-at-a-time", limits }] });
    const quota = limiter.quota("one-at-a-time", { limits });
    const first = await limitedFetch(`${api.url}/a`);
    const second = limitedFetch(`${api.url}/b`);
    expect((await quota.state()).limits[0]?.remaining).toBe(0);
    const sent = api.requests;
    expect(await first.text()).toBe("ok GET /a ");
    expect(await (await second).text()).toBe("ok GET /b ");
    expect(api.requests).toBe(sent + 1);
  });
});
