import type { RedisServer } from "../../tools/redis-servers.js";

/**
 * Single-node Redis in Docker, for machines without a redis-server binary.
 * A cluster through Docker is out of scope: cluster tests need redis-server or REDIS_CLUSTER_NODES.
 */
export async function startRedisContainer(): Promise<RedisServer> {
  // Loaded lazily so runs that use a local redis-server never load the Docker client.
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer("redis:7-alpine")
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage("Ready to accept connections"))
    .start();
  const port = container.getMappedPort(6379);
  return {
    url: `redis://${container.getHost()}:${port}`,
    port,
    stop: async () => {
      await container.stop();
    },
  };
}
