import { describe, expect, it } from "vitest";
import { describePlan, planRedis, type RedisFacts } from "./redis-plan.js";

const facts = (overrides: Partial<RedisFacts> & { commands?: string[] } = {}): RedisFacts => {
  const { commands = [], ...rest } = overrides;
  return { env: {}, isOnPath: (command) => commands.includes(command), isRoot: false, dockerAvailable: false, ...rest };
};

const URL_AND_NODES = { REDIS_URL: "redis://10.0.0.5:6379", REDIS_CLUSTER_NODES: "10.0.0.6:7000" };

describe("planRedis", () => {
  it("takes running servers from the environment first, whatever else the machine has", () => {
    const all = facts({ env: URL_AND_NODES, commands: ["redis-server", "redis-cli", "apt-get"], isRoot: true });
    expect(planRedis({ ...all, dockerAvailable: true })).toEqual({ ok: true, single: "env", cluster: "env" });
  });

  it("then redis-server on PATH; the cluster needs redis-cli too", () => {
    expect(planRedis(facts({ commands: ["redis-server", "redis-cli"], isRoot: true }))).toEqual({
      ok: true,
      single: "path",
      cluster: "path",
    });
    expect(planRedis(facts({ env: { REDIS_URL: "redis://h:1" }, commands: ["redis-server", "redis-cli"] }))).toEqual({
      ok: true,
      single: "env",
      cluster: "path",
    });
    expect(planRedis(facts({ commands: ["redis-server", "apt-get"], isRoot: true }))).toEqual({
      ok: true,
      single: "path",
      cluster: "apt",
    });
  });

  it("then Debian's package, only as root on a machine with apt-get, before Docker", () => {
    const debian = facts({ commands: ["apt-get"], dockerAvailable: true });
    expect(planRedis({ ...debian, isRoot: true })).toEqual({ ok: true, single: "apt", cluster: "apt" });
    expect(planRedis(debian)).toEqual({ ok: true, single: "docker", cluster: "docker" });
    expect(planRedis(facts({ isRoot: true, dockerAvailable: true }))).toEqual({
      ok: true,
      single: "docker",
      cluster: "docker",
    });
  });

  it("otherwise fails with one line that fixes it", () => {
    expect(planRedis(facts({ commands: ["apt-get"] }))).toEqual({
      ok: false,
      fix: "Redis is needed: run `sudo apt-get install redis-server`, or set REDIS_URL and REDIS_CLUSTER_NODES to running servers",
    });
    // Root without apt-get: not Debian.
    expect(planRedis(facts({ env: { REDIS_URL: "redis://h:1" }, isRoot: true }))).toEqual({
      ok: false,
      fix: "Redis is needed: install redis-server and redis-cli, or set REDIS_CLUSTER_NODES to running servers",
    });
  });
});

describe("describePlan", () => {
  it("says where each kind of server comes from, one line each", () => {
    expect(describePlan({ single: "env", cluster: "apt" })).toEqual([
      "Redis single node: running, named in REDIS_URL",
      "Redis Cluster: redis-server from Debian's package (installing it now), started on loopback",
    ]);
    expect(describePlan({ single: "path", cluster: "docker" })).toEqual([
      "Redis single node: redis-server on PATH, started on loopback",
      "Redis Cluster: Docker, through testcontainers",
    ]);
  });
});
