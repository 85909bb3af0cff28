import type { Json } from "./json.js";
import type { Page } from "./options.js";

/** A task result or page that cannot be written (not JSON, bad page shape): retrying would not help. */
export class UnwritableResultError extends TypeError {
  override name = "UnwritableResultError";
}

function stringify(value: object): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new UnwritableResultError(
      `The result of "${(value as { key: string }).key}" is not JSON-serializable: ${(error as Error).message}`,
    );
  }
}

/** A page a paginated task yielded, checked for its shape. */
export function checkPage(key: string, value: unknown): Page<unknown> {
  const page = value as Partial<Page<unknown>> | null;
  if (typeof page !== "object" || page === null || !("result" in page) || page.cursor === undefined) {
    throw new UnwritableResultError(
      `Expected each page of "${key}" to be { result, cursor } with cursor the next page's position or null for the last, got ${JSON.stringify(value)?.slice(0, 200)}`,
    );
  }
  return page as Page<unknown>;
}

// The key comes first in every line, so `grep '^{"key":"42"'` finds an item's lines.

/** A single-result item: `{"key","done":true,"result"}`. */
export const resultLine = (key: string, result: unknown): string => stringify({ key, done: true, result });

/** A page: `{"key","page","cursor","result"}`; the last page (cursor `null`) also carries `"done":true`. */
export const pageLine = (key: string, page: number, cursor: Json, result: unknown): string =>
  stringify(cursor === null ? { key, page, cursor, done: true, result } : { key, page, cursor, result });

/** A paginated item whose iterable ended after `pages` pages: `{"key","done":true,"pages"}`. */
export const endLine = (key: string, pages: number): string => stringify({ key, done: true, pages });

/** A failed item: `{"key","reason","error","code"?,"status"?,"page","attempts","at"}`. */
export function failureLine(key: string, page: number, attempts: number, error: unknown): string {
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const reason = error instanceof Error ? error.message : String(error);
  return stringify({
    key,
    reason,
    error: typeof e.name === "string" ? e.name : typeof error,
    ...(typeof e.code === "string" || typeof e.code === "number" ? { code: e.code } : {}),
    ...(typeof e.status === "number" ? { status: e.status } : {}),
    page,
    attempts,
    at: new Date().toISOString(),
  });
}
