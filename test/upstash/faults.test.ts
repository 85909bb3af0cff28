import { inspect } from "node:util";
import { quotaKeys } from "@sluice/core/adapter";
import {
  createLimiter,
  isStoreUnavailableError,
  type LimiterOptions,
  type Rule,
  type StoreFailureEvent,
  slidingWindow,
  tokenBucket,
} from "@sluice/upstash";
import { Redis as Upstash } from "@upstash/redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstashEndpoint, type UpstashEndpoint } from "../../tools/upstash-endpoint.js";
import { OwnRedis } from "../faults/support/redis-process.js";
import { randomPrefix } from "../support/redis-clients.js";

// A server of this file's own: the tests change its ACL users.
let server: OwnRedis;
let admin: Redis;
let endpoint: UpstashEndpoint;

beforeAll(async () => {
  server = await OwnRedis.start();
  admin = new Redis(server.url);
  endpoint = await startUpstashEndpoint({ redisUrl: server.url });
});

afterAll(async () => {
  await endpoint.close();
  admin.disconnect();
  await server.stop();
});

const client = (at: UpstashEndpoint, clientOptions: { enableAutoPipelining?: boolean; token?: string } = {}) =>
  new Upstash({ url: at.url, token: at.token, ...clientOptions });

describe("a reply lost after the script ran, the client sending the request again", () => {
  const rules: Array<[string, Rule]> = [
    ["tokenBucket", tokenBucket({ rate: 1, per: "1h", burst: 10 })],
    ["slidingWindow", slidingWindow({ limit: 10, window: "1h" })],
  ];

  /** Remaining units (of 10) after one grant whose first reply was lost, and the requests it took. */
  async function afterLostReply(rule: Rule, options: Partial<LimiterOptions> = {}, warm = true) {
    const limiter = createLimiter({ redis: client(endpoint), prefix: randomPrefix(), ...options });
    const quota = limiter.quota("lost", { limits: [rule], arrivalMargin: 0, pacing: false });
    if (warm) await quota.state();
    endpoint.resetStats();
    endpoint.dropNextReply();
    const grant = await quota.acquire({ maxWait: 0 });
    const requests = endpoint.stats.requests;
    expect(grant.allowed).toBe(true);
    return { remaining: (await quota.state()).limits[0]?.remaining, requests };
  }

  // @upstash/redis retries a fetch that failed (up to 5 times by default) with the same body: the
  // script runs twice, and its remembered reply answers the second run.
  it.each(rules)("%s: charged once, the caller none the wiser", async (_, rule) => {
    expect(await afterLostReply(rule)).toEqual({ remaining: 9, requests: 2 });
  });

  it("on a cold start too (the resent request is the EVAL)", async () => {
    expect(await afterLostReply(tokenBucket({ rate: 1, per: "1h", burst: 10 }), {}, false)).toEqual({
      remaining: 9,
      requests: 2,
    });
  });

  it("without rememberReplies the retry charges again: what the default prevents", async () => {
    const rule = tokenBucket({ rate: 1, per: "1h", burst: 10 });
    expect(await afterLostReply(rule, { rememberReplies: false })).toEqual({ remaining: 8, requests: 2 });
  });
});

describe("error messages", () => {
  const SOURCE_FRAGMENT = 'redis.call("TIME")';

  /** Everything an error would print, its causes included. */
  const printed = (error: unknown): string => inspect(error, { depth: 10 }) + JSON.stringify(error);

  it("never carry the token", async () => {
    const token = `wrong-${randomPrefix()}`;
    const events: StoreFailureEvent[] = [];
    const limiter = createLimiter({
      redis: client(endpoint, { token }),
      onEvent: (event) => events.push(event),
    });
    const error = await limiter
      .quota("denied", { limits: [tokenBucket({ rate: 10 })] })
      .tryAcquire()
      .catch((e: unknown) => e);
    expect(isStoreUnavailableError(error)).toBe(true);
    expect((error as Error).message).toContain("Unauthorized");
    expect(events).toHaveLength(1);
    for (const shown of [printed(error), printed(events)]) {
      expect(shown).not.toContain(token);
      expect(shown).not.toContain(SOURCE_FRAGMENT);
    }
  });

  it.each([true, false])(
    "never carry the script source, Redis's words kept (auto-pipelining %s)",
    async (pipelining) => {
      const prefix = randomPrefix();
      const limits = [tokenBucket({ rate: 10 })];
      // A key of the wrong type makes the script fail; over one command, the client quotes the
      // whole EVAL in its message.
      await admin.lpush(quotaKeys(prefix, "wrong", limits).limits[0] as string, "x");
      const events: StoreFailureEvent[] = [];
      const limiter = createLimiter({
        redis: client(endpoint, { enableAutoPipelining: pipelining }),
        prefix,
        onEvent: (event) => events.push(event),
      });
      const error = await limiter
        .quota("wrong", { limits, arrivalMargin: 0, pacing: false })
        .tryAcquire()
        .catch((e: unknown) => e);
      expect(isStoreUnavailableError(error)).toBe(true);
      expect((error as Error).message).toMatch(/WRONGTYPE/);
      for (const shown of [printed(error), printed(events)]) {
        expect(shown).not.toContain(SOURCE_FRAGMENT);
        expect(shown).not.toContain("command was");
        expect(shown).not.toContain(endpoint.token);
      }
    },
  );
});

describe("a store that refuses TIME", () => {
  it("fails the first call with an error naming TIME, whatever the failMode (never a client's clock)", async () => {
    await admin.acl("SETUSER", "no-time", "on", ">pw", "~*", "&*", "+@all", "-time");
    const refusing = await startUpstashEndpoint({ redisUrl: `redis://no-time:pw@127.0.0.1:${server.port}` });
    try {
      for (const failMode of ["closed", "local", "open"] as const) {
        const events: StoreFailureEvent[] = [];
        const limiter = createLimiter({ redis: client(refusing), failMode, onEvent: (e) => events.push(e) });
        const quota = limiter.quota("clockless", { limits: [tokenBucket({ rate: 10 })] });
        const error = await quota.tryAcquire().catch((e: unknown) => e);
        expect(isStoreUnavailableError(error), failMode).toBe(true);
        expect((error as Error).message).toMatch(/Redis refused the TIME command/);
        expect(events).toEqual([]);
      }
    } finally {
      await refusing.close();
      await admin.acl("DELUSER", "no-time");
    }
  });

  it("says so on EVALSHA too, when TIME is refused after the script was loaded", async () => {
    await admin.acl("SETUSER", "loses-time", "on", ">pw", "~*", "&*", "+@all");
    const refusing = await startUpstashEndpoint({ redisUrl: `redis://loses-time:pw@127.0.0.1:${server.port}` });
    try {
      const quota = createLimiter({ redis: client(refusing) }).quota("clock", { limits: [tokenBucket({ rate: 10 })] });
      expect((await quota.tryAcquire()).allowed).toBe(true);
      await admin.acl("SETUSER", "loses-time", "-time");
      await expect(quota.tryAcquire()).rejects.toThrow(/Redis refused the TIME command/);
    } finally {
      await refusing.close();
      await admin.acl("DELUSER", "loses-time");
    }
  });
});
