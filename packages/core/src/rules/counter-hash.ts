/**
 * The counters of a bucket or window hash (lua/includes/counter-hash.lua) from an HGETALL
 * reply, a flat field/value list or an object: field `<k>` = units in bucket or window k.
 * `last` and anything malformed are left out; `undefined` when the reply is neither form.
 */
export function countersOf(reply: unknown): Map<number, number> | undefined {
  if (typeof reply !== "object" || reply === null) return undefined;
  const entries: Array<[unknown, unknown]> = Array.isArray(reply)
    ? Array.from({ length: Math.floor(reply.length / 2) }, (_, i) => [reply[2 * i], reply[2 * i + 1]])
    : Object.entries(reply);
  const counters = new Map<number, number>();
  for (const [field, value] of entries) {
    const k = Number(field);
    const n = Number(value);
    if (/^-?\d+$/.test(String(field)) && Number.isSafeInteger(k) && Number.isFinite(n) && n > 0) counters.set(k, n);
  }
  return counters;
}
