import { createLimiter } from "@sluice/node";
import { DEFAULT_SLUICE_PREFIX } from "./learned-arrival.js";
import { documentedRule } from "./server-limits.js";
import type { ClientContext, ShareClient } from "./share-client.js";

// Resends after a 429 the quota learned from, at most: createFetch's default, so that both
// default contenders give a caller up alike.
const RETRIES = 3;

/**
 * The engine API as its README shows it with a plain `fetch`: acquire, send, tell the quota
 * what the API answered, and acquire again and resend while the verdict says `retry`.
 */
export async function feedbackClient(context: ClientContext): Promise<ShareClient> {
  const { redis, quota: name, url, kind, limit, windowMs } = context;
  const limiter = createLimiter({ redis, prefix: DEFAULT_SLUICE_PREFIX });
  const quota = limiter.quota(name, { limits: [documentedRule(kind, limit, windowMs)] });
  await quota.state();
  return {
    async request() {
      const slots: number[] = [];
      for (let attempt = 0; ; attempt++) {
        const grant = await quota.acquire();
        slots.push(grant.admittedAt);
        const response = await fetch(url, { headers: { "x-slot": String(grant.admittedAt) } });
        await response.arrayBuffer();
        const verdict = await quota.feedback(grant, { status: response.status, headers: response.headers });
        if (!verdict.retry || attempt === RETRIES) return { status: response.status, slots };
      }
    },
    close: async () => limiter.close(),
  };
}
