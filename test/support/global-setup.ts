import { execFile } from "node:child_process";
import type { TestProject } from "vitest/node";
import { describePlan, planRedis, type RedisSource } from "../../tools/redis-plan.js";
import { isOnPath, type NodeAddress, startRedis, startRedisCluster } from "../../tools/redis-servers.js";
import { aptInstallRedis } from "./apt-install-redis.js";
import { startRedisClusterContainer, startRedisContainer } from "./testcontainers-redis.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    redisClusterNodes: Array<{ host: string; port: number }>;
  }
}

interface Started<T> {
  value: T;
  stop(): Promise<void>;
}

// Servers named in the environment belong to someone else, so teardown leaves them running.
const leaveRunning = async (): Promise<void> => {};

function dockerAvailable(): Promise<boolean> {
  if (!isOnPath("docker")) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile("docker", ["info"], { timeout: 5_000 }, (error) => resolve(error === null));
  });
}

/** The plan for this machine; Docker, the last resort, is asked only when nothing else serves. */
async function plan(): Promise<{ single: RedisSource; cluster: RedisSource }> {
  const facts = { env: process.env, isOnPath, isRoot: process.getuid?.() === 0, dockerAvailable: false };
  let planned = planRedis(facts);
  if (!planned.ok) planned = planRedis({ ...facts, dockerAvailable: await dockerAvailable() });
  if (!planned.ok) throw new Error(planned.fix);
  return planned;
}

// `env` is planned only when the variable is set.
async function singleNode(source: RedisSource): Promise<Started<string>> {
  if (source === "env") return { value: process.env.REDIS_URL as string, stop: leaveRunning };
  const server = source === "docker" ? await startRedisContainer() : await startRedis();
  return { value: server.url, stop: server.stop };
}

async function cluster(source: RedisSource): Promise<Started<NodeAddress[]>> {
  if (source === "env") return { value: parseNodes(process.env.REDIS_CLUSTER_NODES as string), stop: leaveRunning };
  const started = source === "docker" ? await startRedisClusterContainer() : await startRedisCluster({ masters: 3 });
  return { value: started.nodes, stop: started.stop };
}

function parseNodes(list: string): NodeAddress[] {
  return list.split(",").map((entry) => {
    const trimmed = entry.trim();
    const colon = trimmed.lastIndexOf(":");
    const port = Number(trimmed.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0) {
      throw new Error(`REDIS_CLUSTER_NODES entry "${trimmed}" is not host:port`);
    }
    return { host: trimmed.slice(0, colon), port };
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const sources = await plan();
  for (const line of describePlan(sources)) console.info(`[redis] ${line}`);
  if (sources.single === "apt" || sources.cluster === "apt") await aptInstallRedis();
  // Started side by side to save time; if one fails, whatever did start is stopped again.
  const results = await Promise.allSettled([singleNode(sources.single), cluster(sources.cluster)]);
  const [single, clustered] = results;
  if (single.status === "fulfilled" && clustered.status === "fulfilled") {
    project.provide("redisUrl", single.value.value);
    project.provide("redisClusterNodes", clustered.value.value);
    return async () => {
      await Promise.all([single.value.stop(), clustered.value.stop()]);
    };
  }
  await Promise.all(results.map((result) => (result.status === "fulfilled" ? result.value.stop() : undefined)));
  throw results.find((result) => result.status === "rejected")?.reason;
}
