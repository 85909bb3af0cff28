import type { StoreLimiter } from "@sluice/core/adapter";
import { createLimiter } from "@sluice/upstash";
import { Redis } from "@upstash/redis";
import { afterAll, inject } from "vitest";
import { startUpstashEndpoint } from "../../tools/upstash-endpoint.js";
import { describeModelEquivalence } from "../conformance/model-equivalence.js";
import { describeStoreConformance, type StoreUnderTest } from "../conformance/store-suite.js";

// The real @upstash/redis client, with its defaults (auto-pipelining, base64 replies, JSON
// parsing of strings, retries), through a local Upstash REST endpoint in front of redis-server.
const endpoint = await startUpstashEndpoint({ redisUrl: inject("redisUrl") });
afterAll(() => endpoint.close());

const open = (): StoreUnderTest => {
  const limiter = createLimiter({ redis: new Redis({ url: endpoint.url, token: endpoint.token }) });
  return { store: (limiter as StoreLimiter).store, close: () => limiter.close() };
};

describeStoreConformance("@upstash/redis over HTTP", open);
describeModelEquivalence("@upstash/redis over HTTP", open, 40);
