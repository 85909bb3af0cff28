import type { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCluster, connectRedis, randomPrefix } from "./support/redis-clients";

describe("single-node Redis", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = connectRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it("answers PING", async () => {
    expect(await redis.ping()).toBe("PONG");
  });

  it("loads and runs a script", async () => {
    const sha = String(await redis.script("LOAD", "return ARGV[1]"));
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.evalsha(sha, 0, "hello")).toBe("hello");
  });
});

describe("Redis Cluster", () => {
  let cluster: Cluster;
  beforeAll(() => {
    cluster = connectCluster();
  });
  afterAll(async () => {
    await cluster.quit();
  });

  it("is healthy with 3 masters", async () => {
    const info = await cluster.cluster("INFO");
    expect(info).toContain("cluster_state:ok");
    expect(info).toContain("cluster_size:3");
    expect(cluster.nodes("master")).toHaveLength(3);
  });

  it("routes keys in different hash slots to every master", async () => {
    const prefix = randomPrefix();
    // Hash tags pin each key's slot regardless of the random prefix.
    const keys = Array.from({ length: 12 }, (_, i) => `${prefix}{${i}}`);
    const slots = await Promise.all(keys.map((key) => cluster.cluster("KEYSLOT", key)));
    expect(new Set(slots).size).toBe(keys.length);

    for (const key of keys) await cluster.set(key, key, "EX", 60);
    expect(await Promise.all(keys.map((key) => cluster.get(key)))).toEqual(keys);

    // KEYS only sees the node it runs on: every key sits on one master, and every master holds some.
    const perMaster = await Promise.all(cluster.nodes("master").map((master) => master.keys(`${prefix}*`)));
    expect(perMaster.flat().sort()).toEqual([...keys].sort());
    expect(perMaster.every((held) => held.length > 0)).toBe(true);
  });
});
