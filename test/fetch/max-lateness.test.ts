import { slidingWindow } from "@sluice/core";
import { StoreLimiter } from "@sluice/core/adapter";
import { createFetch } from "@sluice/fetch";
import { afterEach, describe, expect, it } from "vitest";
import { lateStore } from "../support/late-store";
import { randomPrefix } from "../support/redis-clients";
import { type LimitedServer, startLimitedServer } from "./support/limited-server";

let api: LimitedServer | undefined;
afterEach(() => api?.close());

describe("createFetch with maxLateness", () => {
  it("gives a late grant back and asks again, on a plain route and on a pool key, sending each request once", async () => {
    api = await startLimitedServer({ limit: 100, windowMs: 1000, keyHeader: "x-key" });
    // Every first reply comes 40 ms late; the second, on time.
    const { store, cancels } = lateStore([40, 0, 40, 0]);
    const limits = [slidingWindow({ limit: 10, window: "1m" })];
    const limitedFetch = createFetch({
      limiter: new StoreLimiter(store, { prefix: randomPrefix() }),
      maxLateness: 10,
      routes: [
        { match: `${api.url}/plain`, quota: "plain", limits },
        {
          match: `${api.url}/pooled`,
          quota: "pooled",
          credentials: { header: "x-key", keys: [{ id: "a", secret: "secret-a", limits }] },
        },
      ],
    });
    for (const path of ["plain", "pooled"]) {
      const res = await limitedFetch(`${api.url}/${path}`);
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(cancels).toHaveLength(2);
    expect(api.requests).toBe(2);
    expect(api.countFor("secret-a")).toBe(1);
  });
});
