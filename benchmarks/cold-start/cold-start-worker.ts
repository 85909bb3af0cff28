// A fresh process's first decision: loads CONTENDER's library, connects to REDIS_URL, decides
// once on QUOTA, and prints {"processMs", "connectMs", "decisionMs"} (ms since the process
// began, to connect, and from connected to decided).
import { Redis } from "ioredis";
import { type ColdStartContender, loadFirstDecision } from "./first-decision.js";

const decide = await loadFirstDecision(process.env.CONTENDER as ColdStartContender);
const start = performance.now();
const redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: 1 });
await new Promise((resolve) => redis.once("ready", resolve));
const connected = performance.now();
await decide(redis, process.env.QUOTA as string);
const decided = performance.now();
process.stdout.write(
  `${JSON.stringify({ processMs: decided, connectMs: connected - start, decisionMs: decided - connected })}\n`,
);
redis.disconnect();
process.exit(0);
