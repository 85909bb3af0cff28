import { capWait } from "./cap-wait.js";
import { serverNow } from "./server-clock.js";

/** What the `X-RateLimit-*` family says; each field `undefined` when absent or unparsable. */
export interface XRateLimit {
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
  /** Ms until the window resets (already converted from whatever form `Reset` used). */
  readonly resetAfterMs: number | undefined;
}

/** Spellings in use, tried in order: GitHub/TikTok style, Twitter style, IETF drafts 00-05. */
const PREFIXES = ["x-ratelimit-", "x-rate-limit-", "ratelimit-"] as const;
const NUMBER = /^\d+(?:\.\d+)?$/;
const EPOCH_MS_ABOVE = 1e12;
const EPOCH_SECONDS_ABOVE = 1e9;

const numberOf = (value: string | null): number | undefined => {
  const text = value?.trim();
  return text !== undefined && NUMBER.test(text) ? Number(text) : undefined;
};

/**
 * Turns a `Reset` value into a wait. APIs disagree on its unit, so it is decided by magnitude:
 * above 1e12 it is epoch milliseconds, above 1e9 epoch seconds (1e9 s is 2001-09-09, so no
 * honest delta is that large), otherwise delta seconds. Epochs are measured from the response's
 * `Date` header when present (its resolution is 1 s), else from `now`.
 */
export function resetToWait(reset: number, dateHeader?: string | null, now: number = Date.now()): number | undefined {
  if (!Number.isFinite(reset) || reset < 0) return undefined;
  if (reset > EPOCH_MS_ABOVE) return capWait(reset - serverNow(dateHeader, now));
  if (reset > EPOCH_SECONDS_ABOVE) return capWait(reset * 1000 - serverNow(dateHeader, now));
  return capWait(reset * 1000);
}

/**
 * Reads `X-RateLimit-Limit/Remaining/Reset`, or the `X-Rate-Limit-*` / `RateLimit-*` spellings
 * (the first spelling that has any of the three wins). Never throws.
 * @example parseXRateLimit(new Headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "30" }))
 * // { limit: undefined, remaining: 0, resetAfterMs: 30000 }
 */
export function parseXRateLimit(headers: Headers, now: number = Date.now()): XRateLimit {
  for (const prefix of PREFIXES) {
    const limit = headers.get(`${prefix}limit`);
    const remaining = headers.get(`${prefix}remaining`);
    const reset = headers.get(`${prefix}reset`);
    if (limit === null && remaining === null && reset === null) continue;
    const resetValue = numberOf(reset);
    return {
      limit: numberOf(limit),
      remaining: numberOf(remaining),
      resetAfterMs: resetValue === undefined ? undefined : resetToWait(resetValue, headers.get("date"), now),
    };
  }
  return { limit: undefined, remaining: undefined, resetAfterMs: undefined };
}
