// IMF-fixdate (RFC 9110 preferred), RFC 850 and asctime: the three forms HTTP-date allows.
const IMF_FIXDATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_850 = /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/** Parses an HTTP-date (RFC 9110 §5.6.7) to epoch ms, or `undefined` when it is not one. */
export function parseHttpDate(value: string | null | undefined): number | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (IMF_FIXDATE.test(text) || RFC_850.test(text)) return finite(Date.parse(text));
  // asctime carries no zone; HTTP says it is GMT.
  if (ASCTIME.test(text)) return finite(Date.parse(`${text} GMT`));
  return undefined;
}

const finite = (ms: number): number | undefined => (Number.isFinite(ms) ? ms : undefined);

/**
 * "Now" on the server's clock: its `Date` header when valid, else the local clock. Dates sent by
 * the server (Retry-After, epoch resets) are measured against it so clock skew does not matter.
 */
export function serverNow(dateHeader: string | null | undefined, localNow: number = Date.now()): number {
  return parseHttpDate(dateHeader) ?? localNow;
}
