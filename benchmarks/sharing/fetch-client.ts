import { createFetch } from "@sluice/fetch";
import { createLimiter } from "@sluice/node";
import { DEFAULT_SLUICE_PREFIX } from "./learned-arrival.js";
import { documentedRule } from "./server-limits.js";
import type { ClientContext, ShareClient } from "./share-client.js";

/**
 * `@sluice/fetch` as its README shows it: one route at exactly the API's documented limit and
 * no tuning option. The fetch learns from each 429 and resends by itself, so the caller sees
 * only what it gives back. It does not expose its slots: the run has no slot times.
 */
export async function fetchClient(context: ClientContext): Promise<ShareClient> {
  const { redis, quota, url, kind, limit, windowMs } = context;
  const limiter = createLimiter({ redis, prefix: DEFAULT_SLUICE_PREFIX });
  const rule = documentedRule(kind, limit, windowMs);
  const limitedFetch = createFetch({ limiter, routes: [{ match: url, quota, limits: [rule] }] });
  // The same warm-up as every Sluice contender: the connection and the scripts, read-only.
  await limiter.quota(quota, { limits: [rule] }).state();
  return {
    async request() {
      const response = await limitedFetch(url);
      await response.arrayBuffer();
      return { status: response.status, slots: [] };
    },
    close: async () => limiter.close(),
  };
}
