import { freeClusterPorts, type RedisCluster, type RedisServer, waitForCluster } from "../../tools/redis-servers.js";

// For machines without a redis-server binary. Loaded lazily, so that runs using a local
// redis-server never load the Docker client. testcontainers' reaper removes the containers when
// this process ends, however it ends.
const IMAGE = "redis:7-alpine";
const READY = "Ready to accept connections";

/** A single-node Redis in Docker, on a mapped port. */
export async function startRedisContainer(): Promise<RedisServer> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer(IMAGE)
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage(READY))
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

/**
 * A Redis Cluster of `masters` nodes in one container. Nodes announce the addresses they listen
 * on, and clients follow them, so the container shares the host's network (Linux Docker; Docker
 * Desktop only with host networking turned on) and the nodes listen on free loopback ports.
 */
export async function startRedisClusterContainer(masters = 3): Promise<RedisCluster> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const ports = await freeClusterPorts(masters);
  const node = (port: number): string =>
    `redis-server --port ${port} --bind 127.0.0.1 --save '' --appendonly no --cluster-enabled yes ` +
    `--cluster-config-file nodes-${port}.conf --cluster-node-timeout 2000`;
  const container = await new GenericContainer(IMAGE)
    .withNetworkMode("host")
    .withCommand(["sh", "-c", `${ports.map(node).join(" & ")} & wait`])
    .withWaitStrategy(Wait.forLogMessage(READY, masters))
    .start();
  try {
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    const created = await container.exec(["redis-cli", "--cluster", "create", ...addresses, "--cluster-yes"]);
    if (created.exitCode !== 0) throw new Error(`redis-cli --cluster create failed in Docker:\n${created.output}`);
    await waitForCluster(ports);
  } catch (error) {
    await container.stop();
    throw error;
  }
  return {
    nodes: ports.map((port) => ({ host: "127.0.0.1", port })),
    stop: async () => {
      await container.stop();
    },
  };
}
