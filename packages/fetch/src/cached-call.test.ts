import { createMemoryLimiter } from "@sluice/core";
import { describe, expect, it } from "vitest";
import type { CacheEntry, CacheLookup, ResponseCache } from "./cache/response-cache.js";
import { runCached } from "./cached-call.js";
import type { Call, FetchContext } from "./fetch-call.js";
import type { FetchEvent } from "./fetch-event.js";
import { StatsTable } from "./fetch-stats.js";
import { prepareRequest } from "./prepare-request.js";
import { resolveOptions } from "./resolve-options.js";

const API = "https://api.example.test/items";
const entry = { key: "k" } as CacheEntry;

async function setup(lookup: CacheLookup, revalidated: Response | undefined | Error = undefined) {
  const events: FetchEvent[] = [];
  const context: FetchContext = {
    config: resolveOptions({ limiter: createMemoryLimiter(), routes: [] }),
    stats: new StatsTable(true),
    emit: (event) => events.push(event),
  };
  const call: Call = {
    prepared: await prepareRequest(API, undefined),
    plan: { groups: [], pool: undefined },
    method: "GET",
    url: API,
    signal: new AbortController().signal,
    groups: ["items"],
  };
  const cache: Pick<ResponseCache, "lookup" | "revalidated"> = {
    lookup: async () => lookup,
    revalidated: async () => {
      if (revalidated instanceof Error) throw revalidated;
      return revalidated;
    },
  };
  const sent: Request[] = [];
  const answers: Response[] = [];
  const run = async (c: Call): Promise<Response> => {
    sent.push(c.prepared.base);
    return answers.shift() ?? new Response("fresh from the server");
  };
  return { call, context, events, cache, sent, answers, run };
}

describe("runCached", () => {
  it("answers a fresh entry without sending, and counts the hit", async () => {
    const { call, context, events, cache, sent, run } = await setup({
      kind: "fresh",
      response: new Response("cached"),
    });
    const result = await runCached(cache, call, context, run);
    expect(await result.response.text()).toBe("cached");
    expect(result.storeAs).toBeUndefined();
    expect(sent).toEqual([]);
    expect(events).toEqual([{ type: "cache-hit", source: "hit", method: "GET", url: API }]);
    expect(context.stats.snapshot().items).toMatchObject({ cacheHits: 1 });
  });

  it("sends a miss as is and leaves storing it to the caller", async () => {
    const { call, context, cache, sent, run } = await setup({ kind: "miss", key: "k1" });
    const result = await runCached(cache, call, context, run);
    expect(result.storeAs).toBe("k1");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.get("if-none-match")).toBeNull();
  });

  it("sends a stale entry as a conditional request, and a 304 answers from the cache", async () => {
    const conditionals = new Headers({ "if-none-match": '"v1"' });
    const { call, context, events, cache, sent, answers, run } = await setup(
      { kind: "stale", key: "k1", entry, conditionals },
      new Response("revalidated"),
    );
    answers.push(new Response(null, { status: 304 }));
    const result = await runCached(cache, call, context, run);
    expect(sent[0]?.headers.get("if-none-match")).toBe('"v1"');
    expect(await result.response.text()).toBe("revalidated");
    expect(result.storeAs).toBeUndefined();
    expect(events).toEqual([{ type: "cache-hit", source: "revalidated", method: "GET", url: API }]);
    expect(context.stats.snapshot().items).toMatchObject({ cacheRevalidated: 1 });
  });

  it("stores a changed answer to a conditional request, and sends plainly when the 304 cannot be used", async () => {
    const conditionals = new Headers({ "if-none-match": '"v1"' });
    const changed = await setup({ kind: "stale", key: "k1", entry, conditionals });
    changed.answers.push(new Response("v2"));
    const result = await runCached(changed.cache, changed.call, changed.context, changed.run);
    expect(await result.response.text()).toBe("v2");
    expect(result.storeAs).toBe("k1");

    const unusable = await setup({ kind: "stale", key: "k1", entry, conditionals }, new Error("entry unreadable"));
    unusable.answers.push(new Response(null, { status: 304 }));
    const again = await runCached(unusable.cache, unusable.call, unusable.context, unusable.run);
    expect(unusable.sent.map((request) => request.headers.get("if-none-match"))).toEqual(['"v1"', null]);
    expect(await again.response.text()).toBe("fresh from the server");
    expect(again.storeAs).toBe("k1");
  });
});
