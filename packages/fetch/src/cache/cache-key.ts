import { createHash } from "node:crypto";

/**
 * Request headers that name who is asking. Their values go into the hash, never into the key
 * itself, so two credentials never share an entry and no secret is readable in Redis.
 */
const IDENTITY_HEADERS = ["authorization", "proxy-authorization", "cookie"] as const;

/**
 * `<prefix>:<sha256>` of the method, the full URL (query included) and the identity headers.
 * Other headers named by the response's `Vary` are checked against the stored request when the
 * entry is read (a mismatch is a miss, and the new answer replaces the entry).
 */
export function cacheKey(prefix: string, method: string, url: string, headers: Headers): string {
  const identity = IDENTITY_HEADERS.map((name) => headers.get(name));
  const hash = createHash("sha256")
    .update(JSON.stringify([method.toUpperCase(), url, identity]))
    .digest("hex");
  return `${prefix}:${hash}`;
}
