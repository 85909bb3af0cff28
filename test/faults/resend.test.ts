import { concurrency, createLimiter, fixedWindow, type Rule, slidingWindow, tokenBucket } from "@sluice/node";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomPrefix } from "../support/redis-clients.js";
import { OwnRedis } from "./support/redis-process.js";
import { TcpProxy } from "./support/tcp-proxy.js";

// The proxy lets the acquire script reach Redis and run, swallows its reply and closes the
// connection. ioredis reconnects and, by default (autoResendUnfulfilledCommands), sends the
// same EVALSHA again: same request id, second execution. With `rememberReplies`, a quota must
// be charged once. Without the resend the caller sees an error and retries: with the request
// named (`acquire({ id })`), it must be charged once as well.
let server: OwnRedis;
let proxy: TcpProxy;

beforeAll(async () => {
  server = await OwnRedis.start();
  proxy = await TcpProxy.start({ host: "127.0.0.1", port: server.port });
});

afterAll(async () => {
  await proxy.close();
  await server.stop();
});

/**
 * Remaining units after one acquire whose reply was lost once (rule capacity 10). Replies are
 * remembered for every call (`rememberReplies`) when the request is unnamed, only for the
 * named request otherwise.
 */
async function remainingAfterLostReply(
  rule: Rule,
  redisOptions: { autoResendUnfulfilledCommands: boolean },
  id?: string,
) {
  const redis = new Redis(proxy.url, redisOptions);
  redis.on("error", () => {});
  try {
    const limiter = createLimiter({ redis, prefix: randomPrefix(), timeout: 500, rememberReplies: id === undefined });
    const quota = limiter.quota("resend", { limits: [rule] });
    await quota.state();
    proxy.dropNextReply();
    const dropsBefore = proxy.droppedReplies;
    const options = id === undefined ? { maxWait: 0 } : { maxWait: 0, id };
    let grant = await quota.acquire(options).catch(() => undefined);
    expect(proxy.droppedReplies).toBe(dropsBefore + 1);
    // The caller saw a failure: it retries, as callers of a fallible API do.
    grant ??= await quota.acquire(options);
    expect(grant.allowed).toBe(true);
    if (id !== undefined) expect(grant.lease).toBe(id);
    const [status] = (await quota.state()).limits;
    console.info(
      `[fault] lost reply, ${rule.kind}, resend ${redisOptions.autoResendUnfulfilledCommands}: remaining ${status?.remaining} of 10 after one grant`,
    );
    return status?.remaining;
  } finally {
    redis.disconnect();
  }
}

const rules: Array<[string, Rule]> = [
  ["tokenBucket", tokenBucket({ rate: 1, per: "1h", burst: 10 })],
  ["slidingWindow", slidingWindow({ limit: 10, window: "1h" })],
  ["fixedWindow", fixedWindow({ limit: 10, window: "1h" })],
  ["concurrency", concurrency({ limit: 10, lease: "1h" })],
];

describe("a reply lost after the script ran, ioredis resending the command", () => {
  // The acquire script remembers its reply under a key named after the call's first request
  // id for a while, so the resent EVALSHA is answered from it, not decided again.
  it.each(rules)("%s: charged once", async (_, rule) => {
    expect(await remainingAfterLostReply(rule, { autoResendUnfulfilledCommands: true })).toBe(9);
  });
});

describe("a reply lost after the script ran, the caller retrying under the request's id", () => {
  // Without the resend the caller sees an error and asks again. The request is named: the
  // script kept the first decision under the id, and answers the retry with it.
  it.each(rules)("%s: charged once", async (_, rule) => {
    expect(await remainingAfterLostReply(rule, { autoResendUnfulfilledCommands: false }, "invocation-1")).toBe(9);
  });
});
