import { Cluster, Redis, type RedisOptions } from "ioredis";
import { maskUrl } from "./mask-secrets.js";
import type { StatusOptions } from "./status-options.js";

/** A CLI fails fast: no endless reconnects, no command waiting longer than this. */
const TIMEOUT_MS = 5000;

const common: RedisOptions = {
  lazyConnect: true,
  connectTimeout: TIMEOUT_MS,
  commandTimeout: TIMEOUT_MS,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
};

/** Where the status is read from, for the header: the URL without its password, or the seeds. */
export const targetLabel = (options: Pick<StatusOptions, "url" | "cluster">): string =>
  options.cluster
    ? `cluster ${options.cluster.map((node) => `${node.host}:${node.port}`).join(",")}`
    : maskUrl(options.url);

const lastErrors = new WeakMap<Redis | Cluster, Error>();

/** The latest error the client reported as an event (ECONNREFUSED, WRONGPASS...), if any. */
export const lastErrorOf = (client: Redis | Cluster): Error | undefined => lastErrors.get(client);

/**
 * A client for the single node or Cluster the options name, not yet connected: call
 * `connect()`, and `disconnect()` to stop (it also ends a connect or command in flight).
 * Failures are reported by the promises, never logged.
 */
export function createClient(options: Pick<StatusOptions, "url" | "cluster">): Redis | Cluster {
  let client: Redis | Cluster;
  if (options.cluster) {
    const [first] = options.cluster;
    const withAuth = options.cluster.find((node) => node.password !== undefined || node.username !== undefined);
    client = new Cluster(
      options.cluster.map(({ host, port }) => ({ host, port })),
      {
        lazyConnect: true,
        clusterRetryStrategy: () => null,
        slotsRefreshTimeout: TIMEOUT_MS,
        redisOptions: {
          ...common,
          lazyConnect: false,
          ...(withAuth?.username === undefined ? {} : { username: withAuth.username }),
          ...(withAuth?.password === undefined ? {} : { password: withAuth.password }),
          ...(first?.tls ? { tls: {} } : {}),
        },
      },
    );
  } else {
    client = new Redis(options.url, common);
  }
  // ioredis rejects a failed connect with "Connection is closed"; the cause came as an event.
  client.on("error", (error: Error) => {
    lastErrors.set(client, error);
  });
  return client;
}
