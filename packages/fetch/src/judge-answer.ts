import type { Feedback } from "@sluice/core";
import type { Attempts, Call, FetchContext } from "./fetch-call.js";
import { attemptFacts } from "./fetch-call.js";
import type { ExhaustedEvent, RateLimitedEvent } from "./fetch-event.js";
import { answeredBy, type Slots } from "./held-slots.js";
import { type AnswerFacts, asksFeedback, responseVerdict, type Verdict } from "./retry-policy.js";

type Unsourced<E> = Omit<E, "keyId" | "method" | "url">;

/**
 * The event the quotas' feedback on an answer calls for: `rate-limited` for every 429,
 * `exhausted` when another answer paused quotas (`onExhausted: "pause"`), else none.
 * @param quotas the name of the quota behind each feedback.
 */
export function feedbackEvent(
  status: number,
  quotas: readonly string[],
  feedback: readonly (Feedback | undefined)[],
): Unsourced<RateLimitedEvent> | Unsourced<ExhaustedEvent> | undefined {
  const paused = quotas.filter((_, i) => (feedback[i]?.pausedMs ?? 0) > 0);
  if (status === 429) {
    const waitMs = feedback.find((verdict) => verdict?.serverWaitMs !== undefined)?.serverWaitMs;
    const cause = feedback.find((verdict) => verdict !== undefined)?.cause ?? "server-wait";
    return { type: "rate-limited", quotas: paused, waitMs, cause };
  }
  if (status === 503 || paused.length === 0) return undefined;
  const waitMs = Math.max(0, ...feedback.map((verdict) => verdict?.pausedMs ?? 0));
  return { type: "exhausted", quotas: paused, waitMs, status };
}

/** Tells the quotas an answer speaks for what it was (`Quota.feedback`), and reports what they made of it. */
async function tellQuotas(
  call: Call,
  response: Response,
  slots: Slots,
  context: FetchContext,
): Promise<(Feedback | undefined)[]> {
  const targets = answeredBy(slots);
  const { onExhausted } = context.config;
  // Best effort: a store that fails here must not fail the answer (a 429 then backs off).
  const feedback = await Promise.all(
    targets.map(({ quota, grant }) => quota.feedback(grant, response, { onExhausted }).catch(() => undefined)),
  );
  const event = feedbackEvent(
    response.status,
    targets.map((h) => h.quota.name),
    feedback,
  );
  if (event?.type === "rate-limited") context.stats.add(call.groups, "rateLimited");
  if (event !== undefined) context.emit({ ...event, keyId: slots.key?.id, method: call.method, url: call.url });
  return feedback;
}

/**
 * What an answer means (see `responseVerdict`), with its effects: the quotas hear of it, and a
 * credential key it refused is quarantined in this process.
 */
export async function judgeAnswer(
  call: Call,
  attempts: Attempts,
  response: Response,
  slots: Slots,
  context: FetchContext,
): Promise<Verdict> {
  const { retry } = context.config;
  const { key } = slots;
  const pool = call.plan.pool;
  const otherKeyFree = key === undefined || pool === undefined ? undefined : pool.hasOtherThan(key);
  const answer = (): AnswerFacts => ({ ...attemptFacts(call, attempts), status: response.status, otherKeyFree });
  const feedback = asksFeedback(answer(), retry) ? await tellQuotas(call, response, slots, context) : [];
  const verdict = responseVerdict(answer(), feedback, retry);
  if (verdict.kind === "quarantine" && key !== undefined && pool !== undefined) {
    pool.quarantine(key);
    context.emit({
      type: "quarantine",
      quota: pool.group,
      keyId: key.id,
      status: response.status,
      durationMs: pool.quarantineMs,
      method: call.method,
      url: call.url,
    });
  }
  return verdict;
}
