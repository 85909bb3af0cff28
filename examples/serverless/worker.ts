// A Cloudflare Worker on @sluice/upstash: Redis over HTTP, where a Worker has no TCP sockets.
// Bindings (`wrangler secret put`): UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN.
import { createLimiter, isQuotaExceededError, type Quota } from "@sluice/upstash";
import { Redis } from "@upstash/redis/cloudflare";
import { type Answer, PREFIX, QUOTA, quotaOptions, retryAfterSeconds } from "./quota.js";

interface Env {
  readonly UPSTASH_REDIS_REST_URL: string;
  readonly UPSTASH_REDIS_REST_TOKEN: string;
}

// Kept while the isolate is warm: later requests send the script's hash, not its source, and
// find the denials already known. `coalesce: false`: one request's acquire must never be sent
// by another request's call, which workerd would cancel as hung; the client's auto-pipelining
// still sends the decisions of one tick in one HTTP request.
let api: Quota | undefined;

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    api ??= createLimiter({ redis: Redis.fromEnv(env), prefix: PREFIX, coalesce: false }).quota(QUOTA, quotaOptions);
    try {
      // Waits up to 300 ms for the fleet's next slot (reserved at once); a slot further away is
      // refused now, so the Worker answers 429 instead of holding the request.
      const grant = await api.acquire({ maxWait: "300ms" });
      // The call the quota protects goes here: `return fetch("https://api.partner.example/…")`.
      return Response.json({ admittedAt: grant.admittedAt } satisfies Answer);
    } catch (error) {
      if (!isQuotaExceededError(error)) throw error;
      return Response.json({ retryAfterMs: error.retryAfterMs } satisfies Answer, {
        status: 429,
        headers: { "Retry-After": retryAfterSeconds(error.retryAfterMs) },
      });
    }
  },
};
