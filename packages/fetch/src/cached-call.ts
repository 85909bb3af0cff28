import type { ResponseCache } from "./cache/response-cache.js";
import { type Call, discard, type FetchContext } from "./fetch-call.js";

/** An answer, and the cache key to store it under (a miss) or `undefined`. */
export interface Sent {
  readonly response: Response;
  readonly request: Request;
  readonly storeAs: string | undefined;
}

/**
 * Runs a call through the response cache. A fresh cached answer costs no slot; a stale one with
 * a validator is sent as a conditional request through the normal path (a slot is spent) and a
 * 304 answers from the cache. Storing is left to the caller, once the call's timeout is off.
 * @param run sends a call through the quotas (`runCall`).
 */
export async function runCached(
  cache: Pick<ResponseCache, "lookup" | "revalidated">,
  call: Call,
  context: FetchContext,
  run: (call: Call) => Promise<Response>,
): Promise<Sent> {
  const request = call.prepared.base;
  const lookup = await cache.lookup(request);
  if (lookup.kind === "fresh") {
    context.stats.add(call.groups, "cacheHits");
    context.emit({ type: "cache-hit", source: "hit", method: call.method, url: call.url });
    return { response: lookup.response, request, storeAs: undefined };
  }
  if (lookup.kind === "miss") return { response: await run(call), request, storeAs: lookup.key };
  const headers = new Headers(request.headers);
  lookup.conditionals.forEach((value, name) => {
    headers.set(name, value);
  });
  const conditional: Call = { ...call, prepared: { ...call.prepared, base: new Request(request, { headers }) } };
  const response = await run(conditional);
  if (response.status !== 304) return { response, request, storeAs: lookup.key };
  discard(response);
  const answer = await cache.revalidated(lookup.entry, request, response).catch(() => undefined);
  if (answer === undefined) return { response: await run(call), request, storeAs: lookup.key };
  context.stats.add(call.groups, "cacheRevalidated");
  context.emit({ type: "cache-hit", source: "revalidated", method: call.method, url: call.url });
  return { response: answer, request, storeAs: undefined };
}
