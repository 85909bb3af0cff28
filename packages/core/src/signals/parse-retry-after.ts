import { capWait } from "./cap-wait.js";
import { parseHttpDate, serverNow } from "./server-clock.js";

const DELTA_SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * The wait a `Retry-After` header asks for, in ms: delta-seconds (`"120"`, fractions tolerated)
 * or an HTTP-date, measured from the response's `Date` header when present, else from `now`.
 * A date in the past is 0. Anything unparsable is `undefined`; never throws.
 * @example parseRetryAfter("2") // 2000
 * @example parseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 07:27:30 GMT") // 30000
 */
export function parseRetryAfter(
  value: string | null | undefined,
  dateHeader?: string | null,
  now: number = Date.now(),
): number | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (DELTA_SECONDS.test(text)) return capWait(Number(text) * 1000);
  const at = parseHttpDate(text);
  return at === undefined ? undefined : capWait(at - serverNow(dateHeader, now));
}
