import type { Contender } from "./contender.js";

/**
 * The floor every Redis-backed limiter stands on: one tiny one-key script per decision
 * (INCR + PEXPIRE) by EVALSHA. A limiter needs at least this round trip and this much work.
 */
export const physicalLimitScript = `local v = redis.call("INCR", KEYS[1])
redis.call("PEXPIRE", KEYS[1], 60000)
return v`;

export const physicalLimit: Contender = {
  name: "physical limit (INCR+PEXPIRE script)",
  unsupported: () => undefined,
  async create(redis, scenario) {
    // Loaded once up front (on every master of a Cluster), so every decision is a plain EVALSHA.
    const sha = await loadEverywhere(redis, physicalLimitScript);
    return {
      decide: async (key) => {
        await redis.evalsha(sha, 1, `${scenario.prefix}:{${key}}`);
        return true;
      },
    };
  },
};

async function loadEverywhere(redis: Parameters<Contender["create"]>[0], source: string): Promise<string> {
  if ("nodes" in redis && typeof redis.nodes === "function") {
    const shas = await Promise.all(redis.nodes("master").map((node) => node.script("LOAD", source)));
    return shas[0] as string;
  }
  return (await redis.script("LOAD", source)) as string;
}
