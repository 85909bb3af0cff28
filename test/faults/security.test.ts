import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { concurrency, createLimiter, type FailMode, slidingWindow } from "@sluice/node";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { randomPrefix } from "../support/redis-clients.js";
import { fullWorkload } from "./support/acl-workload.js";
import { OwnRedis } from "./support/redis-process.js";

const CANARY = `canary-${randomBytes(8).toString("hex")}`;

/** Everything an error or event carries, hidden properties and causes included. */
const dump = (value: unknown): string => {
  let json = "";
  try {
    json = JSON.stringify(value, (_, v: unknown) =>
      v instanceof Error ? { ...v, message: v.message, stack: v.stack, cause: v.cause } : v,
    );
  } catch {}
  return `${json}\n${inspect(value, { depth: 12, showHidden: true })}`;
};

describe("a Redis password never appears in errors, events or logs", () => {
  let server: OwnRedis;
  beforeAll(async () => {
    server = await OwnRedis.start({ args: ["--requirepass", CANARY], password: CANARY });
  });
  afterAll(() => server?.stop());

  it("with a wrong password, the right one, and Redis gone (every failMode)", async () => {
    const seen: unknown[] = [];
    // The user's own ioredis client's 'error' events: not Sluice's to clean, kept apart.
    const clientErrors: unknown[] = [];
    const logged: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(inspect(args))),
    );
    const writes = [process.stdout, process.stderr].map((stream) =>
      vi.spyOn(stream, "write").mockImplementation((chunk: unknown) => {
        logged.push(String(chunk));
        return true;
      }),
    );
    const run = async (redis: Redis, failMode: FailMode): Promise<number> => {
      const limiter = createLimiter({
        redis,
        prefix: randomPrefix(),
        failMode,
        timeout: 300,
        onEvent: (e) => seen.push(e),
      });
      const quota = limiter.quota("secret", {
        limits: [slidingWindow({ limit: 5, window: "1s" }), concurrency({ limit: 5 })],
      });
      let admitted = 0;
      const calls: Array<() => Promise<unknown>> = [
        () => quota.acquire({ maxWait: 0 }).then(() => admitted++),
        () => quota.tryAcquire().then((d) => (admitted += d.allowed ? 1 : 0)),
        () => quota.acquire({ maxWait: 400 }),
        () => quota.release("x"),
        () => quota.pause("1ms"),
        () => quota.state(),
        () => quota.reset(),
      ];
      for (const call of calls) await call().catch((error: unknown) => seen.push(error));
      limiter.close();
      return admitted;
    };
    try {
      for (const failMode of ["closed", "open", "local"] as const) {
        const wrong = new Redis({ port: server.port, password: `${CANARY}-wrong`, maxRetriesPerRequest: 1 });
        wrong.on("error", (error) => clientErrors.push(error));
        await run(wrong, failMode);
        wrong.disconnect();
        const url = new Redis(`redis://:${CANARY}-url@127.0.0.1:${server.port}`, { maxRetriesPerRequest: 1 });
        url.on("error", (error) => clientErrors.push(error));
        await run(url, failMode);
        url.disconnect();
      }
      const right = new Redis({ port: server.port, password: CANARY, maxRetriesPerRequest: 1 });
      right.on("error", (error) => clientErrors.push(error));
      expect(await run(right, "closed")).toBe(2);
      await server.down("SIGKILL");
      for (const failMode of ["closed", "open", "local"] as const) await run(right, failMode);
      right.disconnect();
    } finally {
      for (const spy of [...spies, ...writes]) spy.mockRestore();
      if (!server.running) await server.up();
    }
    const text = [...seen.map(dump), ...logged].join("\n");
    const leaks = seen.filter((item) => dump(item).includes(CANARY)).map((item) => dump(item).slice(0, 400));
    console.info(
      `[fault] password canary: ${seen.length} errors/events, ${logged.length} log writes, leaks: ${leaks.length}`,
    );
    expect(seen.length).toBeGreaterThan(20);
    expect(text).toMatch(/WRONGPASS|NOAUTH/);
    expect(leaks).toEqual([]);
    expect(text.includes(CANARY)).toBe(false);
    // The search works: ioredis's own AUTH errors carry the password in `command.args`, and
    // Sluice's events and causes are built from those very errors.
    expect(clientErrors.map(dump).join("\n")).toContain(CANARY);
  }, 30_000);
});

// The commands Sluice's scripts and pub/sub need, found by running every operation under a
// user allowed only these, then checking that each one is needed. docs/failure-modes.md
// ("Secrets and access") prints the same list as an ACL SETUSER line: change both together.
const NEEDED = [
  "evalsha",
  "eval",
  "time",
  "get",
  "set",
  "del",
  "pexpire",
  "zadd",
  "zrem",
  "zcard",
  "zcount",
  "zrange",
  "zrangebyscore",
  "zremrangebyscore",
  "hgetall",
  "hmget",
  "hset",
  "hincrby",
  "hdel",
  "lpush",
  "ltrim",
  "llen",
  "publish",
  "subscribe",
];
// Not needed for correctness: INFO is ioredis's ready check (without it, ioredis warns and
// skips the check); UNSUBSCRIBE when a waiter stops listening (a denial is ignored and the
// idle subscriber connection is closed anyway).
const COMFORT = ["info", "unsubscribe"];

const aclLine = (prefix: string, commands: readonly string[]): string[] => [
  "on",
  ">acl-test-password",
  "resetkeys",
  `~${prefix}:*`,
  "resetchannels",
  `&${prefix}:*`,
  "-@all",
  ...commands.map((command) => `+${command}`),
];

describe("a Redis ACL user allowed only what Sluice needs", () => {
  let server: OwnRedis;
  let admin: Redis;
  beforeAll(async () => {
    server = await OwnRedis.start();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  const runAs = async (user: string, prefix: string, commands: readonly string[]): Promise<string[]> => {
    await admin.acl("SETUSER", user, "reset", ...aclLine(prefix, commands));
    // A fresh script cache (so EVAL is exercised) and fresh keys (a failed run leaves leases).
    await admin.script("FLUSH");
    const redis = new Redis({
      port: server.port,
      username: user,
      password: "acl-test-password",
      maxRetriesPerRequest: 1,
    });
    try {
      return await fullWorkload(redis, `${prefix}:${randomBytes(4).toString("hex")}`, admin);
    } finally {
      redis.disconnect();
    }
  };

  it("runs acquire, release, pause, state, reset, note, cancel and a concurrency wait", async () => {
    expect(await runAs("sluice", "sluice", [...NEEDED, ...COMFORT])).toEqual([]);
    console.info(`[fault] ACL line: ACL SETUSER sluice ${aclLine("sluice", [...NEEDED, ...COMFORT]).join(" ")}`);
  });

  it("keys and channels outside the prefix are refused", async () => {
    const failures = await runAs("narrow", "other", [...NEEDED, ...COMFORT]).catch((e: Error) => [e.message]);
    // Its workload uses keys under "other:", allowed; a second limiter outside is not.
    expect(failures).toEqual([]);
    await admin.acl("SETUSER", "narrow", "reset", ...aclLine("other", [...NEEDED, ...COMFORT]));
    const redis = new Redis({
      port: server.port,
      username: "narrow",
      password: "acl-test-password",
      maxRetriesPerRequest: 1,
    });
    try {
      const outside = await fullWorkload(redis, "elsewhere", admin);
      expect(outside.join("\n")).toMatch(/no permissions to access|NOPERM|can't run/);
    } finally {
      redis.disconnect();
    }
  });

  it.each(NEEDED)("without %s something fails", async (command) => {
    const failures = await runAs(
      `without-${command}`,
      "sluice",
      [...NEEDED, ...COMFORT].filter((c) => c !== command),
    );
    expect(failures.length, `nothing failed without ${command}`).toBeGreaterThan(0);
  });

  it("INFO and UNSUBSCRIBE are comfort, not needs", async () => {
    // ioredis warns on stderr when its INFO ready check is refused.
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const failures = await runAs("bare", "sluice", NEEDED).finally(() => warn.mockRestore());
    expect(failures).toEqual([]);
  });
});
