// A child process for test/redis-servers.test.ts: starts a throwaway redis-server through
// tools/redis-servers.ts, prints the server's pid and folder as one JSON line, then stays up
// (the server's watchdog keeps it running) until it is killed.
import { Redis } from "ioredis";
import { startRedis } from "../../tools/redis-servers.js";

const server = await startRedis();
const redis = new Redis(server.url);
const info = await redis.info("server");
const [, dir] = (await redis.config("GET", "dir")) as [string, string];
redis.disconnect();
console.log(JSON.stringify({ pid: Number(/process_id:(\d+)/.exec(info)?.[1]), dir }));
