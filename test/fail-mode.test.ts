import { createServer, type Server, type Socket } from "node:net";
import { createLimiter, type StoreFailureEvent, StoreUnavailableError, slidingWindow } from "@sluice/node";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A TCP server that accepts connections and never answers: Redis "slower than any timeout".
let blackHole: Server;
const sockets = new Set<Socket>();
let redis: Redis;

beforeAll(async () => {
  blackHole = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
  const address = blackHole.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  redis = new Redis({ port: address.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
});

afterAll(async () => {
  redis.disconnect();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackHole.close(resolve));
});

describe("failMode when Redis does not answer", () => {
  const limits = [slidingWindow({ limit: 10, window: "1s" })];

  it("closed: rejects with StoreUnavailableError within the timeout", async () => {
    const events: StoreFailureEvent[] = [];
    const limiter = createLimiter({ redis, timeout: 200, onEvent: (e) => events.push(e) });
    const started = performance.now();
    await expect(limiter.quota("q", { limits }).acquire()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(events).toMatchObject([{ type: "store-failure", failMode: "closed", operation: "acquire" }]);
  });

  it("open: admits and says so in an event", async () => {
    const events: StoreFailureEvent[] = [];
    const limiter = createLimiter({ redis, timeout: 100, failMode: "open", onEvent: (e) => events.push(e) });
    const grant = await limiter.quota("q", { limits }).acquire();
    expect(grant.allowed).toBe(true);
    expect(events[0]?.failMode).toBe("open");
  });

  it("local: decides on an in-memory share of each limit", async () => {
    const limiter = createLimiter({ redis, timeout: 100, failMode: "local", localShare: 0.5 });
    const q = limiter.quota("q", { limits });
    const decisions = await Promise.all(Array.from({ length: 8 }, () => q.tryAcquire()));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it("validates its own options", () => {
    expect(() => createLimiter({ redis, timeout: 0 })).toThrow(
      /^Expected `timeout` to be a duration from 1 ms to 60000 ms \(.*\), got `0` \(number\)$/,
    );
    expect(() => createLimiter({ redis, failMode: "maybe" as never })).toThrow(/`failMode`.*"maybe"/);
    expect(() => createLimiter({ redis, localShare: 2 })).toThrow(/`localShare`/);
    expect(() => createLimiter({ redis: {} as never })).toThrow(
      /`redis` to be an ioredis or iovalkey Redis or Cluster, or a node-redis client or cluster/,
    );
  });
});
