import { describe, expect, it } from "vitest";
import type { ResumePoint } from "./checkpoint.js";
import { InputFeed, type Item, type SkipReason } from "./input-feed.js";

function feedOf(
  inputs: Iterable<string> | AsyncIterable<string>,
  stop = new AbortController().signal,
  retryFailed = false,
) {
  const skips: SkipReason[] = [];
  const checkpoint = {
    finished: new Set(["done"]),
    failed: new Set(["bad"]),
    partial: new Map<string, ResumePoint>([["half", { page: 2, cursor: "c2" }]]),
  };
  const feed = new InputFeed(inputs, {
    key: (input) => input,
    checkpoint,
    retryFailed,
    stop,
    onSkip: (reason) => skips.push(reason),
  });
  return { feed, skips, checkpoint };
}

async function drain(feed: InputFeed<string>): Promise<Item<string>[]> {
  const items: Item<string>[] = [];
  for (let item = await feed.next(); item !== undefined; item = await feed.next()) items.push(item);
  return items;
}

describe("InputFeed", () => {
  it("skips finished, duplicate and failed keys, and resumes a partial item from its cursor", async () => {
    const { feed, skips, checkpoint } = feedOf(["a", "done", "half", "a", "bad", "b"]);
    const items = await drain(feed);
    expect(items).toEqual([
      { input: "a", key: "a", resume: undefined },
      { input: "half", key: "half", resume: { page: 2, cursor: "c2" } },
      { input: "b", key: "b", resume: undefined },
    ]);
    expect(skips).toEqual(["skipped", "duplicates", "skippedFailed"]);
    expect(checkpoint.partial.size).toBe(0);
    expect(feed.exhausted).toBe(true);
  });

  it("runs failed keys again with retryFailed", async () => {
    const { feed, skips } = feedOf(["bad"], undefined, true);
    expect((await drain(feed)).map((item) => item.key)).toEqual(["bad"]);
    expect(skips).toEqual([]);
  });

  it("hands each input to one of many concurrent askers", async () => {
    async function* slow() {
      for (const key of ["a", "b", "c", "d"]) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield key;
      }
    }
    const { feed } = feedOf(slow());
    const asked = await Promise.all([feed.next(), feed.next(), feed.next(), feed.next(), feed.next()]);
    expect(asked.map((item) => item?.key)).toEqual(["a", "b", "c", "d", undefined]);
  });

  it("hands out nothing once stopped, and closes the iterator it left", async () => {
    const stop = new AbortController();
    let closed = false;
    function* endless() {
      try {
        for (let i = 0; ; i++) yield `k${i}`;
      } finally {
        closed = true;
      }
    }
    const { feed } = feedOf(endless(), stop.signal);
    expect((await feed.next())?.key).toBe("k0");
    stop.abort();
    expect(await feed.next()).toBeUndefined();
    expect(feed.exhausted).toBe(false);
    await feed.close();
    expect(closed).toBe(true);
  });

  it("refuses an empty key with the one TypeError shape", async () => {
    const feed = new InputFeed([""], {
      key: (input) => input,
      checkpoint: { finished: new Set(), failed: new Set(), partial: new Map() },
      retryFailed: false,
      stop: new AbortController().signal,
      onSkip: () => {},
    });
    await expect(feed.next()).rejects.toThrow('Expected `key(input)` to be a non-empty string, got `""` (string)');
  });
});
