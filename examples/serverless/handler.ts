// A Lambda-style handler (AWS Lambda, Netlify or Vercel Functions on Node) on @sluice/upstash:
// one HTTP request per decision, no connection to open at a cold start. `tryAcquire` never
// waits: a denied request is answered 429 with `Retry-After` by the handler itself.
// Environment: UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN.
import { createLimiter, type Quota } from "@sluice/upstash";
import { Redis } from "@upstash/redis";
import { type Answer, PREFIX, QUOTA, quotaOptions, retryAfterSeconds } from "./quota.js";

export interface HandlerResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

// Kept while the instance is warm, as the Worker keeps its own.
let api: Quota | undefined;

export async function handler(): Promise<HandlerResult> {
  api ??= createLimiter({ redis: Redis.fromEnv(), prefix: PREFIX }).quota(QUOTA, quotaOptions);
  const attempt = await api.tryAcquire();
  if (!attempt.allowed) {
    return {
      statusCode: 429,
      headers: { "content-type": "application/json", "retry-after": retryAfterSeconds(attempt.retryAfterMs) },
      body: JSON.stringify({ retryAfterMs: attempt.retryAfterMs } satisfies Answer),
    };
  }
  // The call the quota protects goes here.
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ admittedAt: attempt.admittedAt as number } satisfies Answer),
  };
}
