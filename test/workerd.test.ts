// The workerd harness: a real Worker, bundled from a fixture, run by the workerd binary through
// Miniflare, talking to the local Upstash REST endpoint over 127.0.0.1 with the real
// @upstash/redis/cloudflare client.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startUpstashEndpoint, type UpstashEndpoint } from "../tools/upstash-endpoint.js";
import { runWorker } from "../tools/workerd.js";
import { connectRedis } from "./support/redis-clients.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/workers/${name}`, import.meta.url));

let endpoint: UpstashEndpoint;
const redis = connectRedis();

beforeAll(async () => {
  endpoint = await startUpstashEndpoint({ redisUrl: inject("redisUrl") });
});

afterAll(async () => {
  await endpoint.close();
  await redis.quit();
});

describe("a Worker in workerd", () => {
  it("runs a script on Redis through the REST endpoint and reads Redis's clock", async () => {
    const worker = await runWorker({
      entry: fixture("upstash-time.ts"),
      bindings: { UPSTASH_URL: endpoint.url, UPSTASH_TOKEN: endpoint.token },
    });
    try {
      endpoint.resetStats();
      const response = await worker.fetch("/");
      expect(response.status).toBe(200);
      const body = (await response.json()) as { time: [number, number]; runtime: string };
      expect(body.runtime).toBe("Cloudflare-Workers");
      const [seconds] = await redis.time();
      expect(Math.abs(body.time[0] - Number(seconds))).toBeLessThanOrEqual(2);
      expect(body.time[1]).toBeGreaterThanOrEqual(0);
      expect(body.time[1]).toBeLessThan(1_000_000);
      // Auto-pipelining sends even one EVAL to /pipeline.
      expect(endpoint.stats).toEqual({ requests: 1, byPath: { "/pipeline": 1 } });
    } finally {
      await worker.dispose();
    }
  });

  it("refuses a Worker that cannot start, with workerd's reason", async () => {
    await expect(runWorker({ entry: fixture("node-buffer.ts") })).rejects.toThrow(
      /could not start .*node-buffer\.ts: .*No such module "node:buffer"/s,
    );
  });

  it("has node:* modules with nodejs_compat", async () => {
    const worker = await runWorker({ entry: fixture("node-buffer.ts"), compatibilityFlags: ["nodejs_compat"] });
    try {
      expect(await (await worker.fetch("/")).text()).toBe(Buffer.from("workerd").toString("base64"));
    } finally {
      await worker.dispose();
    }
  });
});
