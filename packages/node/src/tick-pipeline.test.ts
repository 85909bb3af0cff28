import calculateSlot from "cluster-key-slot";
import { describe, expect, it } from "vitest";
import { type PipelineClient, TickPipeline } from "./tick-pipeline.js";

type Reply = [Error | null, unknown];

/** Records what is sent: lone EVALSHAs, and pipelines with their calls; answers by `answer`. */
class RecordingClient implements PipelineClient {
  readonly sent: Array<{ alone: string } | { together: string[] }> = [];
  slots?: string[][];

  constructor(
    readonly isCluster: boolean,
    readonly answer: (key: string, attempt: number) => Reply = (key) => [null, `reply ${key}`],
  ) {}

  readonly #attempts = new Map<string, number>();

  #reply(key: string): Reply {
    const attempt = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.set(key, attempt);
    return this.answer(key, attempt);
  }

  async evalsha(_sha1: string, _numKeys: number, key: string): Promise<unknown> {
    this.sent.push({ alone: key });
    const [error, value] = this.#reply(key);
    if (error !== null) throw error;
    return value;
  }

  pipeline() {
    const keys: string[] = [];
    return {
      evalsha: (_sha1: string, _numKeys: number, key: string) => keys.push(key),
      exec: async () => {
        this.sent.push({ together: keys });
        return keys.map((key) => this.#reply(key));
      },
    };
  }
}

const settle = (calls: Array<Promise<unknown>>) =>
  Promise.all(
    calls.map((call) =>
      call.then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      ),
    ),
  );

describe("TickPipeline", () => {
  it("sends the calls of one tick to a single node in one pipeline, in order, each with its own reply or error", async () => {
    const client = new RecordingClient(false, (key) =>
      key === "b" ? [new Error("ERR sluice: bad"), null] : [null, key],
    );
    const pipeline = new TickPipeline(client, "");
    const replies = await settle(["a", "b", "c"].map((key) => pipeline.evalsha("sha", [key], ["1"])));
    expect(client.sent).toEqual([{ together: ["a", "b", "c"] }]);
    expect(replies).toEqual([{ value: "a" }, { error: "ERR sluice: bad" }, { value: "c" }]);
    // a lone call in a later tick goes as it is
    await pipeline.evalsha("sha", ["d"], []);
    expect(client.sent.at(-1)).toEqual({ alone: "d" });
  });

  it("on a Cluster, groups by the master of each key's slot (with the keyPrefix), and sends calls of unknown slots alone", async () => {
    const client = new RecordingClient(true);
    const pipeline = new TickPipeline(client, "app:");
    const keys = ["{q1}:tb", "{q2}:tb", "{q3}:tb", "{q4}:tb"];
    // slot map still unknown: one by one, ioredis finds the node
    await settle(keys.map((key) => pipeline.evalsha("sha", [key], [])));
    expect(client.sent).toEqual(keys.map((key) => ({ alone: key })));
    client.sent.length = 0;
    client.slots = [];
    const masterOf = (key: string) => (calculateSlot(`app:${key}`) % 2 === 0 ? "127.0.0.1:7000" : "127.0.0.1:7001");
    for (const key of keys) client.slots[calculateSlot(`app:${key}`)] = [masterOf(key), "127.0.0.1:7100"];
    await settle(keys.map((key) => pipeline.evalsha("sha", [key], [])));
    const expected = ["127.0.0.1:7000", "127.0.0.1:7001"]
      .map((node) => keys.filter((key) => masterOf(key) === node))
      .filter((group) => group.length > 0)
      .map((group) => (group.length === 1 ? { alone: group[0] } : { together: group }));
    expect(client.sent).toEqual(expect.arrayContaining(expected));
    expect(client.sent).toHaveLength(expected.length);
  });

  it("sends a call a Cluster did not run (MOVED, ASK, TRYAGAIN) again alone; other errors reach the caller", async () => {
    const client = new RecordingClient(false, (key, attempt) => {
      if (key === "moved" && attempt === 1) return [new Error("MOVED 3999 127.0.0.1:7001"), null];
      if (key === "migrating" && attempt === 1)
        return [new Error("TRYAGAIN Multiple keys request during rehashing of slot"), null];
      if (key === "noscript") return [new Error("NOSCRIPT No matching script."), null];
      return [null, key];
    });
    const pipeline = new TickPipeline(client, "");
    const replies = await settle(
      ["moved", "migrating", "noscript", "fine"].map((key) => pipeline.evalsha("sha", [key], [])),
    );
    expect(replies).toEqual([
      { value: "moved" },
      { value: "migrating" },
      { error: "NOSCRIPT No matching script." },
      { value: "fine" },
    ]);
    expect(client.sent).toEqual([
      { together: ["moved", "migrating", "noscript", "fine"] },
      { alone: "moved" },
      { alone: "migrating" },
    ]);
  });
});
