// The local Upstash REST endpoint against the real @upstash/redis client: what the client sends,
// how it decodes (base64 by default, then JSON-parses every string), and the error shapes it
// throws. Where the client would hide a wire detail (binary bytes, the encoding of "OK" inside an
// array, status codes), a raw fetch checks the endpoint itself.
import { createHash, randomBytes } from "node:crypto";
import { errors, Redis as UpstashRedis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startUpstashEndpoint, type UpstashEndpoint } from "../tools/upstash-endpoint.js";
import { connectRedis, randomPrefix } from "./support/redis-clients.js";

let endpoint: UpstashEndpoint;
const redis = connectRedis();
const prefix = randomPrefix();
let n = 0;
const key = () => `${prefix}:${++n}`;

beforeAll(async () => {
  endpoint = await startUpstashEndpoint({ redisUrl: inject("redisUrl") });
});

afterAll(async () => {
  await endpoint.close();
  await redis.quit();
});

/** The client as an application builds it: auto-pipelining on, base64, 5 retries. */
const client = () => new UpstashRedis({ url: endpoint.url, token: endpoint.token });
/** One HTTP request per command, to "/". */
const unpipelined = () => new UpstashRedis({ url: endpoint.url, token: endpoint.token, enableAutoPipelining: false });

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${endpoint.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${endpoint.token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const base64 = { "upstash-encoding": "base64" };

describe("values through the real client", () => {
  it("round-trips utf-8 and non-ASCII strings", async () => {
    const up = client();
    for (const value of ["plain", "héllo ✓ 日本語 🎉", "T0s=", "OK", "a\u0000b"]) {
      const k = key();
      await expect(up.set(k, value)).resolves.toBe("OK");
      await expect(up.get(k)).resolves.toBe(value);
      expect(await redis.get(k)).toBe(value);
    }
  });

  it("returns integers as numbers and nil as null", async () => {
    const up = client();
    const k = key();
    await expect(up.incr(k)).resolves.toBe(1);
    await expect(up.incrby(k, 41)).resolves.toBe(42);
    await expect(up.get(key())).resolves.toBeNull();
    expect((await post("/", ["incr", k], base64)).body).toEqual({ result: 43 });
    expect((await post("/", ["get", key()], base64)).body).toEqual({ result: null });
  });

  it('encodes every string inside an array, "OK" too (unencoded, the client would read it as 8)', async () => {
    const k = key();
    const script = "return {'OK', redis.call('SET', KEYS[1], 'v'), 7, false, {'x', 'OK'}}";
    await expect(client().eval(script, [k], [])).resolves.toEqual(["OK", "OK", 7, null, ["x", "OK"]]);
    const raw = await post("/", ["eval", script, 1, k], base64);
    expect(raw.body).toEqual({ result: ["T0s=", "T0s=", 7, null, ["eA==", "T0s="]] });
  });

  it("keeps a whole reply of OK plain and encodes other status replies", async () => {
    expect((await post("/", ["set", key(), "v"], base64)).body).toEqual({ result: "OK" });
    expect((await post("/", ["ping"], base64)).body).toEqual({ result: "UE9ORw==" });
    expect((await post("/", ["ping"])).body).toEqual({ result: "PONG" });
  });

  it("is binary-safe in base64 and replaces invalid utf-8 without it, as documented", async () => {
    const k = key();
    await redis.set(k, Buffer.from([0xff, 0x00, 0x41]));
    expect((await post("/", ["get", k], base64)).body).toEqual({ result: "/wBB" });
    expect((await post("/", ["get", k])).body).toEqual({ result: "\ufffd\u0000A" });
  });
});

describe("errors as the client throws them", () => {
  const unknownSha = () => createHash("sha1").update(randomBytes(16)).digest("hex");

  it("NOSCRIPT on a single command: 400, the client appends the command", async () => {
    const raw = await post("/", ["evalsha", unknownSha(), 0]);
    expect(raw).toMatchObject({ status: 400, body: { error: "NOSCRIPT No matching script. Please use EVAL." } });
    const sha = unknownSha();
    const error = await unpipelined()
      .evalsha(sha, [], [])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.UpstashError);
    expect((error as Error).message).toBe(
      `NOSCRIPT No matching script. Please use EVAL., command was: ["evalsha","${sha}",0]`,
    );
  });

  it("NOSCRIPT auto-pipelined: one /pipeline request, 'Command failed: …'", async () => {
    endpoint.resetStats();
    const error = await client()
      .evalsha(unknownSha(), [key()], ["1"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.UpstashError);
    expect((error as Error).message).toBe("Command failed: NOSCRIPT No matching script. Please use EVAL.");
    expect(endpoint.stats).toEqual({ requests: 1, byPath: { "/pipeline": 1 } });
  });

  it("a bad or missing token: 401 JSON on every path, an UpstashError in the client", async () => {
    for (const path of ["/", "/pipeline", "/multi-exec"]) {
      for (const authorization of ["Bearer wrong", ""]) {
        const raw = await post(path, ["ping"], { authorization });
        expect(raw).toEqual(expect.objectContaining({ status: 401, body: { error: "Unauthorized" } }));
      }
    }
    const wrong = new UpstashRedis({ url: endpoint.url, token: "wrong", enableAutoPipelining: false });
    const error = await wrong.get("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.UpstashError);
    expect(error).not.toBeInstanceOf(errors.UpstashJSONParseError);
    expect((error as Error).message).toBe('Unauthorized, command was: ["get","x"]');
  });

  it("any method but POST: 405", async () => {
    const response = await fetch(`${endpoint.url}/`, { headers: { authorization: `Bearer ${endpoint.token}` } });
    expect(response.status).toBe(405);
    expect(await response.json()).toEqual({ error: "Method Not Allowed" });
  });
});

describe("scripts as Upstash runs them", () => {
  // Every script of @upstash/ratelimit opens with this shebang.
  const flagged = (flags: string) => `#!lua flags=${flags}\nreturn redis.call("incr", KEYS[1])`;

  it("runs a script flagged allow-key-locking, which Redis refuses, and finds it by the client's hash", async () => {
    const script = flagged("allow-key-locking");
    const counter = key();
    await expect(redis.eval(script, 1, counter)).rejects.toThrow("Unexpected flag in script shebang");
    const up = client();
    expect(await up.eval(script, [counter], [])).toBe(1);
    expect(await up.evalsha(createHash("sha1").update(script).digest("hex"), [counter], [])).toBe(2);
  });

  it("keeps the script's other flags", async () => {
    const error = await client()
      .eval(flagged("allow-key-locking,no-writes"), [key()], [])
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain("Write commands are not allowed from read-only scripts");
  });
});

describe("pipelines and transactions", () => {
  it("a pipeline: one request, one result or error per command, not atomic", async () => {
    const k = key();
    endpoint.resetStats();
    const results = await client().pipeline().set(k, "a").incr(k).get(k).exec({ keepErrors: true });
    expect(results).toEqual([
      { result: "OK", error: undefined },
      { result: undefined, error: "ERR value is not an integer or out of range" },
      { result: "a", error: undefined },
    ]);
    expect(endpoint.stats).toEqual({ requests: 1, byPath: { "/pipeline": 1 } });
  });

  it("a transaction: one request, results in order", async () => {
    const k = key();
    endpoint.resetStats();
    await expect(client().multi().set(k, "1").incr(k).get(k).exec()).resolves.toEqual(["OK", 2, 2]);
    expect(endpoint.stats).toEqual({ requests: 1, byPath: { "/multi-exec": 1 } });
    const failing = await post(
      "/multi-exec",
      [
        ["set", k, "a"],
        ["incr", k],
        ["get", k],
      ],
      base64,
    );
    expect(failing.body).toEqual([
      { result: "OK" },
      { error: "ERR value is not an integer or out of range" },
      { result: "YQ==" },
    ]);
  });

  it("a transaction Redis discards: one 400, nothing written", async () => {
    const k = key();
    const raw = await post("/multi-exec", [["set", k, "1"], ["no-such-command"]]);
    expect(raw.status).toBe(400);
    expect(raw.body.error).toMatch(/^EXECABORT /);
    expect(await redis.exists(k)).toBe(0);
  });
});

describe("test hooks", () => {
  it("dropNextReply: the command runs, the reply is lost, the client re-sends the identical body", async () => {
    const k = key();
    const sent: string[] = [];
    const realFetch = globalThis.fetch;
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      sent.push(String(init?.body));
      return realFetch(input, init);
    });
    try {
      endpoint.resetStats();
      endpoint.dropNextReply();
      // Charged twice: what a script must guard against with remembered replies.
      await expect(unpipelined().incr(k)).resolves.toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(sent).toEqual([`["incr","${k}"]`, `["incr","${k}"]`]);
    expect(endpoint.stats).toEqual({ requests: 2, byPath: { "/": 2 } });
    expect(await redis.get(k)).toBe("2");
  });

  it("stats count every request by path, refused ones too; each reply carries a sync token", async () => {
    endpoint.resetStats();
    const up = unpipelined();
    await up.ping();
    await up.pipeline().ping().ping().exec();
    await up.multi().ping().exec();
    await post("/", ["ping"], { authorization: "" });
    expect(endpoint.stats).toEqual({ requests: 4, byPath: { "/": 2, "/pipeline": 1, "/multi-exec": 1 } });
    const first = (await post("/", ["ping"])).headers.get("upstash-sync-token");
    const second = (await post("/", ["ping"])).headers.get("upstash-sync-token");
    expect(first).toMatch(/^\d+$/);
    expect(second).not.toBe(first);
  });
});
