import type { RateLimitedEntry } from "./status-report.js";

const finite = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/**
 * The `rate-limited` entries of a quota's event list (newest first, JSON objects written by
 * `Quota.note`): how many there are and the newest `newest` of them. Entries that are not JSON
 * objects are skipped; they are someone else's.
 */
export function rateLimitedEvents(
  entries: readonly string[],
  newest: number,
): { count: number; recent: RateLimitedEntry[] } {
  const found: RateLimitedEntry[] = [];
  for (const entry of entries) {
    let event: unknown;
    try {
      event = JSON.parse(entry);
    } catch {
      continue;
    }
    if (typeof event !== "object" || event === null) continue;
    const { type, status, cause, marginMs, share, at } = event as Record<string, unknown>;
    if (type !== "rate-limited") continue;
    found.push({
      type,
      status: finite(status),
      cause: typeof cause === "string" && cause !== "" ? cause : null,
      marginMs: finite(marginMs),
      share: finite(share),
      at: finite(at),
    });
  }
  return { count: found.length, recent: found.slice(0, newest) };
}
