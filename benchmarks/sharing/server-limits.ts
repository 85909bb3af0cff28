import { fixedWindow, type Rule, slidingWindow, tokenBucket } from "@sluice/node";

/** How the strict server counts its limit of `limit` per window; every kind judges a request on arrival. */
export type ServerLimitKind = "sliding window" | "token bucket, burst 1" | "token bucket, burst 10" | "fixed window";

/** What the server decided about one arrival, and what its rate-limit headers say. */
export interface Judgement {
  readonly accepted: boolean;
  /** `X-RateLimit-Limit`: the limit, or a bucket's burst. */
  readonly limit: number;
  /** `X-RateLimit-Remaining`, after this request. */
  readonly remaining: number;
  /** Ms until the quota is whole again: the window's requests have all left it, the bucket is full. */
  readonly resetMs: number;
  /** Ms until a request would be accepted (0 when one would be now). */
  readonly retryAfterMs: number;
}

/** One server limit's state: judges arrivals in order of their time, ms on one monotonic clock. */
export interface ServerCounter {
  judge(nowMs: number): Judgement;
}

/** An exact sliding window: fewer than `limit` accepted in the `windowMs` before the arrival. */
function slidingCounter(limit: number, windowMs: number): ServerCounter {
  const accepted: number[] = [];
  let head = 0;
  return {
    judge(now) {
      while (head < accepted.length && (accepted[head] as number) <= now - windowMs) head++;
      const ok = accepted.length - head < limit;
      if (ok) accepted.push(now);
      const inWindow = accepted.length - head;
      const oldest = accepted[head];
      const newest = accepted[accepted.length - 1];
      return {
        accepted: ok,
        limit,
        remaining: limit - inWindow,
        resetMs: newest === undefined ? 0 : newest + windowMs - now,
        retryAfterMs: inWindow < limit || oldest === undefined ? 0 : oldest + windowMs - now,
      };
    },
  };
}

/** `limit` tokens per window, at most `burst` in the bucket; it starts full. */
function bucketCounter(limit: number, windowMs: number, burst: number): ServerCounter {
  const msPerToken = windowMs / limit;
  let tokens = burst;
  let at: number | undefined;
  return {
    judge(now) {
      tokens = Math.min(burst, tokens + (at === undefined ? 0 : (now - at) / msPerToken));
      at = now;
      const ok = tokens >= 1;
      if (ok) tokens -= 1;
      return {
        accepted: ok,
        limit: burst,
        remaining: Math.floor(tokens),
        resetMs: (burst - tokens) * msPerToken,
        retryAfterMs: tokens >= 1 ? 0 : (1 - tokens) * msPerToken,
      };
    },
  };
}

/** `limit` per window, the windows aligned to the Unix epoch (on this machine's clock). */
function fixedCounter(limit: number, windowMs: number): ServerCounter {
  let window = Number.NaN;
  let count = 0;
  return {
    judge(now) {
      const epochMs = performance.timeOrigin + now;
      const current = Math.floor(epochMs / windowMs);
      if (current !== window) {
        window = current;
        count = 0;
      }
      const ok = count < limit;
      if (ok) count++;
      const endsInMs = (current + 1) * windowMs - epochMs;
      return {
        accepted: ok,
        limit,
        remaining: limit - count,
        resetMs: endsInMs,
        retryAfterMs: count < limit ? 0 : endsInMs,
      };
    },
  };
}

/** A fresh counter of this kind: nothing spent, a full bucket. */
export function serverCounter(kind: ServerLimitKind, limit: number, windowMs: number): ServerCounter {
  switch (kind) {
    case "sliding window":
      return slidingCounter(limit, windowMs);
    case "token bucket, burst 1":
      return bucketCounter(limit, windowMs, 1);
    case "token bucket, burst 10":
      return bucketCounter(limit, windowMs, 10);
    case "fixed window":
      return fixedCounter(limit, windowMs);
  }
}

/** The server's documented limit as a Sluice rule: what a user configures a route with, untuned. */
export function documentedRule(kind: ServerLimitKind, limit: number, windowMs: number): Rule {
  switch (kind) {
    case "sliding window":
      return slidingWindow({ limit, window: windowMs });
    case "token bucket, burst 1":
      return tokenBucket({ rate: limit, per: windowMs, burst: 1 });
    case "token bucket, burst 10":
      return tokenBucket({ rate: limit, per: windowMs, burst: 10 });
    case "fixed window":
      return fixedWindow({ limit, window: windowMs });
  }
}
