import { sleep } from "@sluice/core/adapter";
import { type Attempts, attemptFacts, type Call, discard, type FetchContext } from "./fetch-call.js";
import { acquireSlots, deliver, releaseHeld, type Slots } from "./held-slots.js";
import { judgeAnswer } from "./judge-answer.js";
import { attemptRequest } from "./prepare-request.js";
import { networkErrorVerdict, type RetryVerdict, type Verdict } from "./retry-policy.js";

/** How one attempt ended: an answer (`undefined` when none came) and the verdict on it. */
interface Outcome {
  readonly response: Response | undefined;
  readonly verdict: Verdict;
}

/** The request of one attempt: the call's, with the key's credential when a key is held. */
function requestOf(call: Call, slots: Slots): Request {
  const headers = new Headers(call.prepared.base.headers);
  if (slots.key !== undefined) call.plan.pool?.apply(slots.key, headers);
  return attemptRequest(call.prepared, headers, call.signal);
}

/** Sends one attempt on the slots it holds, and judges how it ended. Never throws. */
async function attempt(call: Call, slots: Slots, attempts: Attempts, context: FetchContext): Promise<Outcome> {
  let request: Request;
  try {
    request = requestOf(call, slots);
  } catch (error) {
    return { response: undefined, verdict: { kind: "throw", error } };
  }
  let response: Response;
  try {
    context.stats.add(call.groups, "sent");
    response = await (context.config.fetch ?? globalThis.fetch)(request);
  } catch (error) {
    if (call.signal.aborted) return { response: undefined, verdict: { kind: "throw", error: call.signal.reason } };
    return {
      response: undefined,
      verdict: networkErrorVerdict(error, attemptFacts(call, attempts), context.config.retry),
    };
  }
  try {
    return { response, verdict: await judgeAnswer(call, attempts, response, slots, context) };
  } catch (error) {
    return { response, verdict: { kind: "throw", error } };
  }
}

/** Counts and reports a retry, then sleeps its backoff (the next acquire waits out any pause). */
async function retryAfter(verdict: RetryVerdict, call: Call, attempts: Attempts, context: FetchContext): Promise<void> {
  attempts.retries++;
  context.stats.add(call.groups, "retried");
  const { reason, delayMs } = verdict;
  context.emit({ type: "retry", attempt: attempts.retries, reason, delayMs, method: call.method, url: call.url });
  if (verdict.sleepMs > 0) await sleep(verdict.sleepMs, call.signal);
}

/**
 * Sends a call until a verdict gives its answer or an error: each attempt acquires its slots,
 * sends, and is judged; slots go back after every attempt whose answer the caller does not get.
 */
export async function runCall(call: Call, context: FetchContext): Promise<Response> {
  const attempts: Attempts = { startedAt: performance.now(), retries: 0 };
  for (;;) {
    const slots = await acquireSlots(call, context);
    const { response, verdict } = await attempt(call, slots, attempts, context);
    const keep = verdict.kind === "return" || (verdict.kind === "quarantine" && !verdict.nextKey);
    if (response !== undefined && keep) return deliver(response, slots.held);
    if (response !== undefined) discard(response);
    releaseHeld(slots.held);
    if (verdict.kind === "throw") throw verdict.error;
    if (verdict.kind === "retry") await retryAfter(verdict, call, attempts, context);
  }
}
