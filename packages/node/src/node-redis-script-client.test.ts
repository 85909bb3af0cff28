import { EventEmitter } from "node:events";
import calculateSlot from "cluster-key-slot";
import { describe, expect, it } from "vitest";
import {
  isNodeRedis,
  type NodeRedisClient,
  type NodeRedisCluster,
  NodeRedisScriptClient,
} from "./node-redis-script-client.js";

type Listener = () => unknown;

/** The events and pub/sub bookkeeping of a node-redis client, without a connection. */
class FakeClient extends EventEmitter implements NodeRedisClient {
  isOpen = true;
  readonly calls: string[] = [];
  readonly subscriptions = new Map<string, Listener>();
  readonly duplicates: FakeClient[] = [];
  evalSha = async (sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> => {
    this.calls.push(`evalSha ${sha1} ${options.keys} ${options.arguments}`);
    return [1];
  };
  eval = async (): Promise<unknown> => null;
  subscribe = async (channel: string, listener: Listener): Promise<void> => {
    this.calls.push(`subscribe ${channel}`);
    this.subscriptions.set(channel, listener);
  };
  unsubscribe = async (channel: string): Promise<void> => {
    this.calls.push(`unsubscribe ${channel}`);
    this.subscriptions.delete(channel);
  };
  duplicate = (): FakeClient => {
    const copy = new FakeClient();
    copy.isOpen = false;
    this.duplicates.push(copy);
    return copy;
  };
  connect = async (): Promise<void> => {
    this.calls.push("connect");
    this.isOpen = true;
  };
  destroy = (): void => {
    this.calls.push("destroy");
    this.isOpen = false;
  };
  publish(channel: string): void {
    this.subscriptions.get(channel)?.();
  }
}

class FakeCluster extends FakeClient implements NodeRedisCluster {
  getSlotMaster = (): unknown => ({});
}

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6399"), { code: "ECONNREFUSED" });

describe("isNodeRedis", () => {
  it("tells node-redis (evalSha and isOpen) from ioredis-like clients (evalsha and duplicate)", () => {
    expect(isNodeRedis(new FakeClient())).toBe(true);
    expect(isNodeRedis(new FakeCluster())).toBe(true);
    expect(isNodeRedis({ evalsha: () => {}, duplicate: () => {}, isCluster: false })).toBe(false);
    expect(isNodeRedis({ evalSha: () => {} })).toBe(false);
    expect(isNodeRedis(null)).toBe(false);
  });
});

describe("NodeRedisScriptClient", () => {
  it("sends keys and arguments as node-redis's options", async () => {
    const redis = new FakeClient();
    redis.on("error", () => {});
    await new NodeRedisScriptClient(redis).evalsha("sha", ["k1", "k2"], ["a"]);
    expect(redis.calls).toEqual(["evalSha sha k1,k2 a"]);
  });

  it("names node-redis's command timeout, whose error has no message, and passes other errors on", async () => {
    class TimeoutError extends Error {}
    const timeout = new TimeoutError();
    const redis = new FakeClient();
    const client = new NodeRedisScriptClient(redis);
    redis.evalSha = async () => {
      throw timeout;
    };
    const error = await client.evalsha("sha", [], []).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: expect.stringMatching(/^node-redis command timeout/), cause: timeout });
    redis.eval = async () => {
      throw refused;
    };
    await expect(client.eval("return 1", [], [])).rejects.toBe(refused);
  });

  it("puts every key in slot 0 on a single client and in its hash slot on a cluster", () => {
    expect(new NodeRedisScriptClient(new FakeClient()).slotOf("p:{q}:r")).toBe(0);
    expect(new NodeRedisScriptClient(new FakeCluster()).slotOf("p:{q}:r")).toBe(calculateSlot("q"));
  });
});

describe("NodeRedisScriptClient.lastError", () => {
  it("is the latest connection error until the connection is ready again", () => {
    const redis = new FakeClient();
    redis.on("error", () => {});
    const client = new NodeRedisScriptClient(redis);
    redis.emit("error", new Error("first"));
    redis.emit("error", refused);
    expect(client.lastError).toBe(refused);
    redis.emit("ready");
    expect(client.lastError).toBeUndefined();
  });

  it("is forgotten once a script call is answered", async () => {
    const redis = new FakeClient();
    redis.on("error", () => {});
    const client = new NodeRedisScriptClient(redis);
    redis.emit("error", refused);
    await client.evalsha("sha", [], []);
    expect(client.lastError).toBeUndefined();
  });

  it("takes a cluster node's error too", () => {
    const redis = new FakeCluster();
    const client = new NodeRedisScriptClient(redis);
    redis.emit("node-error", refused, { host: "127.0.0.1", port: 7000 });
    expect(client.lastError).toBe(refused);
  });

  it("stops listening on close, leaving the client's listeners as they were", () => {
    const redis = new FakeClient();
    const counts = () => ["error", "node-error", "ready"].map((event) => redis.listenerCount(event));
    const before = counts();
    new NodeRedisScriptClient(redis).close();
    expect(counts()).toEqual(before);
  });
});

describe("an error nobody else listens to", () => {
  it("is thrown from the emit, as node-redis does with no listener, once every limiter took it", () => {
    const redis = new FakeClient();
    const first = new NodeRedisScriptClient(redis);
    const second = new NodeRedisScriptClient(redis);
    expect(() => redis.emit("error", refused)).toThrow(refused);
    expect(first.lastError).toBe(refused);
    expect(second.lastError).toBe(refused);
  });

  it("is left to the application when it listens itself", () => {
    const redis = new FakeClient();
    const client = new NodeRedisScriptClient(redis);
    redis.on("error", () => {});
    expect(() => redis.emit("error", refused)).not.toThrow();
    expect(client.lastError).toBe(refused);
  });
});

describe("pub/sub", () => {
  it("on a single client: a duplicate connection opened on the first listener, closed after the last", async () => {
    const redis = new FakeClient();
    const client = new NodeRedisScriptClient(redis);
    const woken: string[] = [];
    const stopA = await client.subscribe("c", () => woken.push("a"));
    const stopB = await client.subscribe("c", () => woken.push("b"));
    const [subscriber] = redis.duplicates;
    expect(redis.duplicates).toHaveLength(1);
    expect(redis.calls).toEqual([]);
    subscriber?.publish("c");
    expect(woken).toEqual(["a", "b"]);
    stopA();
    expect(subscriber?.calls).toEqual(["connect", "subscribe c"]);
    stopB();
    expect(subscriber?.calls).toEqual(["connect", "subscribe c", "unsubscribe c", "destroy"]);
    await client.subscribe("c", () => {});
    expect(redis.duplicates).toHaveLength(2);
  });

  it("on a cluster: the cluster's own pub/sub connection, subscriptions ended on close", async () => {
    const redis = new FakeCluster();
    const client = new NodeRedisScriptClient(redis);
    let woken = 0;
    await client.subscribe("c1", () => woken++);
    await client.subscribe("c2", () => woken++);
    redis.publish("c1");
    expect(woken).toBe(1);
    expect(redis.duplicates).toHaveLength(0);
    client.close();
    expect(redis.calls).toEqual(["subscribe c1", "subscribe c2", "unsubscribe c1", "unsubscribe c2"]);
    expect(redis.isOpen).toBe(true);
  });

  it("closes the duplicate if the first subscription fails", async () => {
    const redis = new FakeClient();
    redis.duplicate = () => {
      const copy = new FakeClient();
      copy.subscribe = async () => {
        throw refused;
      };
      redis.duplicates.push(copy);
      return copy;
    };
    const client = new NodeRedisScriptClient(redis);
    await expect(client.subscribe("c", () => {})).rejects.toBe(refused);
    expect(redis.duplicates[0]?.calls).toEqual(["connect", "destroy"]);
  });
});
