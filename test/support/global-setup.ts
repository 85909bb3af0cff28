import { execFile } from "node:child_process";
import type { TestProject } from "vitest/node";
import {
  isOnPath,
  type NodeAddress,
  type RedisServer,
  redisMissingMessage,
  startRedis,
  startRedisCluster,
} from "../../tools/redis-servers.js";
import { startRedisContainer } from "./testcontainers-redis";

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
  return new Promise((resolve) => {
    execFile("docker", ["info"], { timeout: 5_000 }, (error) => resolve(error === null));
  });
}

async function singleNode(): Promise<Started<string>> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { value: fromEnv, stop: leaveRunning };
  let server: RedisServer;
  if (isOnPath("redis-server")) server = await startRedis();
  else if (await dockerAvailable()) server = await startRedisContainer();
  else throw new Error(redisMissingMessage("The single-node Redis tests"));
  return { value: server.url, stop: server.stop };
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

async function cluster(): Promise<Started<NodeAddress[]>> {
  const fromEnv = process.env.REDIS_CLUSTER_NODES;
  if (fromEnv) return { value: parseNodes(fromEnv), stop: leaveRunning };
  if (!isOnPath("redis-server")) throw new Error(redisMissingMessage("The Redis Cluster tests"));
  const started = await startRedisCluster({ masters: 3 });
  return { value: started.nodes, stop: started.stop };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Started side by side to save time; if one fails, whatever did start is stopped again.
  const results = await Promise.allSettled([singleNode(), cluster()]);
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
