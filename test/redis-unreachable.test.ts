// With Redis down, ioredis queues each command and keeps reconnecting, so a call only times out:
// the reason (ECONNREFUSED, a wrong password) comes as an 'error' event. The timeout's error
// carries it as `cause` and names it, and never carries the password.
import { createServer } from "node:net";
import { inspect } from "node:util";
import { createLimiter, type StoreFailureEvent, StoreUnavailableError, slidingWindow } from "@sluice/node";
import { Redis as Redis5 } from "ioredis";
import { Redis as Redis6 } from "ioredis6";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWrongPasswordServer } from "./support/wrong-password-server.js";

/** A loopback port where nothing listens (free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  await new Promise((resolve) => server.close(resolve));
  return address.port;
}

const PASSWORD = "hunter2-do-not-print";
const limits = [slidingWindow({ limit: 10, window: "1s" })];

/** Everything a log line could show of the error: message, stack, cause, extra fields. */
const printed = (error: unknown): string => `${inspect(error, { depth: Number.POSITIVE_INFINITY })}`;

interface Connection {
  readonly host: string;
  readonly port: number;
  readonly password?: string;
  readonly retryStrategy?: () => number;
}

const majors: Array<[string, (options: Connection) => Redis5 | Redis6]> = [
  ["ioredis 5", (options) => new Redis5(options)],
  ["ioredis 6", (options) => new Redis6(options)],
];

describe.each(majors)("a limiter whose Redis cannot be reached (%s)", (_, connect) => {
  it("fails after `timeout` with the connection's error as cause, named in the message", async () => {
    const port = await closedPort();
    const redis = connect({ host: "127.0.0.1", port });
    redis.on("error", () => {});
    const events: StoreFailureEvent[] = [];
    const limiter = createLimiter({ redis, timeout: "300ms", onEvent: (event) => events.push(event) });
    try {
      const started = performance.now();
      const error = await limiter
        .quota("q", { limits })
        .acquire()
        .catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain(
        `(no answer within 300 ms; last connection error: connect ECONNREFUSED 127.0.0.1:${port})`,
      );
      expect((error as Error).cause).toMatchObject({ code: "ECONNREFUSED" });
      expect(events[0]?.error).toBe(error);
      // the timeout given as a Duration string is the one applied
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(900);
    } finally {
      limiter.close();
      redis.disconnect();
    }
  });

  describe("a refused password", () => {
    let server: Awaited<ReturnType<typeof startWrongPasswordServer>>;
    beforeAll(async () => {
      server = await startWrongPasswordServer();
    });
    afterAll(() => server.close());

    it("is named but the password never shows: not in the error, its cause, its stack or the event", async () => {
      // A long retry keeps the second call queued until the timeout, after the first was refused.
      const redis = connect({
        host: "127.0.0.1",
        port: server.port,
        password: PASSWORD,
        retryStrategy: () => 5_000,
      });
      redis.on("error", () => {});
      const events: StoreFailureEvent[] = [];
      const limiter = createLimiter({ redis, timeout: 300, onEvent: (event) => events.push(event) });
      try {
        const q = limiter.quota("q", { limits });
        // refused at once: ioredis rejects the queued call with the AUTH (or HELLO) error
        const refused = await q.acquire().catch((e: unknown) => e);
        // queued while ioredis waits to reconnect: a timeout whose cause is that error
        const timedOut = await q.acquire().catch((e: unknown) => e);
        expect((refused as Error).message).toContain("(WRONGPASS invalid username-password pair");
        expect((timedOut as Error).message).toContain("no answer within 300 ms; last connection error: WRONGPASS");
        expect((timedOut as Error).cause).toMatchObject({ command: { name: expect.any(String) } });
        for (const error of [refused, timedOut]) {
          expect(error).toBeInstanceOf(StoreUnavailableError);
          expect(printed(error)).not.toContain(PASSWORD);
        }
        expect(events).toHaveLength(2);
        for (const event of events) {
          expect(printed(event)).not.toContain(PASSWORD);
          expect(JSON.stringify(event)).not.toContain(PASSWORD);
        }
      } finally {
        limiter.close();
        redis.disconnect();
      }
    });
  });
});

describe("createLimiter's timeout", () => {
  const redis = new Redis5({ lazyConnect: true });
  afterAll(() => redis.disconnect());

  it("is a Duration: milliseconds or a string, from 1 ms to 60 s", () => {
    for (const timeout of [1, 250, "250ms", "1.5s", "1 m"] as const) {
      expect(() => createLimiter({ redis, timeout }).close()).not.toThrow();
    }
  });

  it.each([0, 60_001, "61s", "1M", "soon", Number.NaN])("refuses %j, naming the option and the value", (timeout) => {
    expect(() => createLimiter({ redis, timeout: timeout as never })).toThrow(
      /^Expected `timeout` to be a duration from 1 ms to 60000 ms \(.*\), got `.*` \((number|string)\)$/,
    );
  });
});
