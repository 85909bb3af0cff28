import type { Redis } from "ioredis";

/** Every key on one node matching `pattern`, as stored (binary-safe), by SCAN. */
export async function scanKeys(node: Redis, pattern: string): Promise<Buffer[]> {
  const keys: Buffer[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await node.scanBuffer(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next.toString();
    keys.push(...batch);
  } while (cursor !== "0");
  return keys;
}
