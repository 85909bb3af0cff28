/** Methods whose repetition has the effect of one call (RFC 9110 §9.2.2), minus TRACE. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

export const isIdempotent = (method: string): boolean => IDEMPOTENT.has(method.toUpperCase());

/**
 * Whether a status is worth another attempt: 429 and 503 always (the server did not act on the
 * request); 502 and 504 only when repeating is safe, since the upstream may have acted.
 */
export function isRetryableStatus(status: number, method: string, nonIdempotent: boolean): boolean {
  if (status === 429 || status === 503) return true;
  if (status === 502 || status === 504) return nonIdempotent || isIdempotent(method);
  return false;
}

/** Network errors: the request may have reached the server, so only safe methods by default. */
export const isRetryableNetworkError = (method: string, nonIdempotent: boolean): boolean =>
  nonIdempotent || isIdempotent(method);
