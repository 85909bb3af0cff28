import Bottleneck from "bottleneck";
import type { Connection } from "../redis-targets.js";
import type { Contender } from "./contender.js";

/**
 * A Bottleneck limiter in Redis clustering mode over the given ioredis connection. Its keys are
 * `b_<id>_…`, several per limiter, so the id is wrapped in braces to keep them in one Cluster slot.
 */
export async function bottleneckLimiter(
  redis: Connection,
  id: string,
  options: Bottleneck.ConstructorOptions,
): Promise<{ limiter: Bottleneck; connection: Bottleneck.IORedisConnection }> {
  const connection = new Bottleneck.IORedisConnection({ client: redis as never });
  const limiter = new Bottleneck({ datastore: "ioredis", connection, id: `{${id}}`, ...options });
  await limiter.ready();
  return { limiter, connection };
}

export const bottleneckContender: Contender = {
  name: "bottleneck (ioredis clustering)",
  unsupported: (scenario) =>
    scenario.workload === "distinct"
      ? "a per-request limiter costs Bottleneck an init script, a subscription and a heartbeat timer per key"
      : undefined,
  async create(redis, scenario) {
    const { limiter, connection } = await bottleneckLimiter(redis, `${scenario.prefix}:hot`, {
      maxConcurrent: null,
      minTime: 0,
    });
    return {
      decide: async () => {
        await limiter.schedule(async () => undefined);
        return true;
      },
      // Bottleneck closes the client it was given along with its own subscriber.
      close: () => connection.disconnect(false),
    };
  },
};
