import { Cluster, Redis, type RedisOptions } from "ioredis";
import { type NodeAddress, startRedis, startRedisCluster } from "../tools/redis-servers.js";

export type Topology = "single" | "cluster";

/** Where the contenders' Redis lives: started here (and stopped at the end) or given by the environment. */
export interface RedisTargets {
  readonly url: string;
  readonly clusterNodes: readonly NodeAddress[] | undefined;
  readonly started: boolean;
  stop(): Promise<void>;
}

// Every contender gets a connection made here, so none has a setting the others lack.
const connectionOptions: RedisOptions = { lazyConnect: false, maxRetriesPerRequest: 1 };

export type Connection = Redis | Cluster;

export function connect(targets: RedisTargets, topology: Topology): Connection {
  if (topology === "single") return new Redis(targets.url, connectionOptions);
  if (targets.clusterNodes === undefined) throw new Error("no Redis Cluster is available");
  return new Cluster([...targets.clusterNodes], { redisOptions: connectionOptions });
}

/** Waits until the connection is ready (a Cluster has also loaded its slot map). */
export async function ready(redis: Connection): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    redis.once("ready", () => resolve());
    redis.once("error", reject);
  });
}

const parseNodes = (value: string): NodeAddress[] =>
  value.split(",").map((entry) => {
    const [host = "127.0.0.1", port = "6379"] = entry.trim().split(":");
    return { host, port: Number(port) };
  });

export async function redisTargets(withCluster: boolean): Promise<RedisTargets> {
  const stops: Array<() => Promise<void>> = [];
  let url = process.env.REDIS_URL;
  let clusterNodes = process.env.REDIS_CLUSTER_NODES ? parseNodes(process.env.REDIS_CLUSTER_NODES) : undefined;
  try {
    if (url === undefined) {
      const server = await startRedis();
      stops.push(server.stop);
      url = server.url;
    }
    if (withCluster && clusterNodes === undefined) {
      const cluster = await startRedisCluster({ masters: 3 });
      stops.push(cluster.stop);
      clusterNodes = cluster.nodes;
    }
  } catch (error) {
    await Promise.all(stops.map((stop) => stop()));
    throw error;
  }
  return {
    url,
    clusterNodes: withCluster ? clusterNodes : undefined,
    started: stops.length > 0,
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}

/** Each master of the topology as its own plain connection (for FLUSHALL, INFO, MEMORY USAGE). */
export function masters(targets: RedisTargets, topology: Topology): Redis[] {
  if (topology === "single") return [new Redis(targets.url, connectionOptions)];
  return (targets.clusterNodes ?? []).map((node) => new Redis({ ...connectionOptions, ...node }));
}

/** Empties every node; with `scripts`, also forgets every loaded script (a server fresh from start). */
export async function flushAll(targets: RedisTargets, topology: Topology, scripts = false): Promise<void> {
  const nodes = masters(targets, topology);
  try {
    await Promise.all(nodes.map((node) => node.flushall().catch((error: Error) => ignoreReplica(error))));
    if (scripts) await Promise.all(nodes.map((node) => node.script("FLUSH")));
  } finally {
    for (const node of nodes) node.disconnect();
  }
}

// A replica answers READONLY to FLUSHALL; it follows its master anyway.
function ignoreReplica(error: Error): void {
  if (!error.message.startsWith("READONLY")) throw error;
}
