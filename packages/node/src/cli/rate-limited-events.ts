import type { RateLimitedEntry } from "./status-report.js";

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
    const { type, status, at } = event as Record<string, unknown>;
    if (type !== "rate-limited") continue;
    found.push({
      type,
      status: typeof status === "number" && Number.isFinite(status) ? status : null,
      at: typeof at === "number" && Number.isFinite(at) ? at : null,
    });
  }
  return { count: found.length, recent: found.slice(0, newest) };
}
