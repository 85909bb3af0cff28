import type { Feedback } from "@sluice/core";
import { backoffDelay } from "@sluice/core/adapter";
import { RetryAfterTooLongError } from "./errors/retry-after-too-long-error.js";
import type { ResolvedRetry } from "./resolve-options.js";

/** Methods whose repetition has the effect of one call (RFC 9110 §9.2.2), minus TRACE. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

export const isIdempotent = (method: string): boolean => IDEMPOTENT.has(method.toUpperCase());

/** Where a call stands when one of its attempts ends. */
export interface AttemptFacts {
  /** Retries made so far (0 after the first attempt). */
  readonly retries: number;
  /** Ms since the call began. */
  readonly elapsedMs: number;
  /** False when the body is a stream, which can be sent once only. */
  readonly replayable: boolean;
  /** Whether the method is idempotent (`isIdempotent`). */
  readonly idempotent: boolean;
}

/** An answer, as the policy sees it. */
export interface AnswerFacts extends AttemptFacts {
  readonly status: number;
  /**
   * With a credential key: whether a key other than the one used is free (not quarantined).
   * `undefined` when the request used no key.
   */
  readonly otherKeyFree: boolean | undefined;
}

/** Send the call again, acquiring its slots anew. */
export interface RetryVerdict {
  readonly kind: "retry";
  /** The status, or `"network"`. */
  readonly reason: number | "network";
  /** Ms until the next attempt may go: the backoff, or the quotas' pause when longer. */
  readonly delayMs: number;
  /** Ms to sleep before acquiring again: the acquire itself waits out a pause. */
  readonly sleepMs: number;
}

/**
 * What to do once an attempt ended: give the answer to the caller, set the credential key
 * aside (then try another key, or give the answer), retry, or throw.
 */
export type Verdict =
  | { readonly kind: "return" }
  | { readonly kind: "quarantine"; readonly nextKey: boolean }
  | RetryVerdict
  | { readonly kind: "throw"; readonly error: unknown };

const RETURN: Verdict = { kind: "return" };

/** Repeating the request is safe, or was allowed for every method (`nonIdempotent`). */
const repeatable = (attempt: AttemptFacts, retry: ResolvedRetry): boolean => attempt.idempotent || retry.nonIdempotent;

const refusesKey = (answer: Pick<AnswerFacts, "status" | "otherKeyFree">): boolean =>
  (answer.status === 401 || answer.status === 403) && answer.otherKeyFree !== undefined;

/** 502 and 504: the upstream may have acted on the request, so only a safe repeat is retried. */
const upstreamFailed = (answer: AnswerFacts, retry: ResolvedRetry): boolean =>
  (answer.status === 502 || answer.status === 504) && repeatable(answer, retry);

const mayRetry = (attempt: AttemptFacts, retry: ResolvedRetry, delayMs: number): boolean =>
  attempt.replayable && attempt.retries < retry.limit && attempt.elapsedMs + delayMs <= retry.maxElapsedMs;

/**
 * Whether the answer goes to `Quota.feedback` before its verdict: not a refusal of the key
 * (the key's quota did not answer) nor a 502/504 that is retried on its own backoff.
 */
export const asksFeedback = (answer: AnswerFacts, retry: ResolvedRetry): boolean =>
  !refusesKey(answer) && !upstreamFailed(answer, retry);

/**
 * The verdict on an answer, given what the quotas it speaks for made of it (`feedback`, one per
 * quota, `undefined` where the store failed; empty when `asksFeedback` is false).
 *
 * - 401/403 with a credential key: quarantine the key, and try another when one is free;
 * - 502/504, when repeating is safe: retry after the backoff;
 * - 429/503: retry at the quotas' next slot. When every quota learned or paused, no backoff is
 *   added (the next acquire gives the slot, in every process); without an answer from the
 *   store, back off first. A wait over `maxDelay` throws `RetryAfterTooLongError`;
 * - anything else: return it.
 *
 * A retry that `limit`, `maxElapsed` or a stream body rules out returns the answer instead.
 */
export function responseVerdict(
  answer: AnswerFacts,
  feedback: readonly (Feedback | undefined)[],
  retry: ResolvedRetry,
  random: () => number = Math.random,
): Verdict {
  const { status } = answer;
  // Another key is not a repeat of the same call, so it costs no retry; each refusal
  // quarantines a key, which bounds the loop by the pool size.
  if (refusesKey(answer)) return { kind: "quarantine", nextKey: answer.replayable && answer.otherKeyFree === true };
  if (upstreamFailed(answer, retry)) {
    const delayMs = backoffDelay(retry, answer.retries, random);
    return mayRetry(answer, retry, delayMs) ? { kind: "retry", reason: status, delayMs, sleepMs: delayMs } : RETURN;
  }
  if (status !== 429 && status !== 503) return RETURN;
  const learned = feedback.length > 0 && feedback.every((verdict) => verdict !== undefined);
  const pausedMs = Math.max(0, ...feedback.map((verdict) => verdict?.pausedMs ?? 0));
  const ownMs = learned ? 0 : backoffDelay(retry, answer.retries, random);
  const delayMs = Math.max(ownMs, pausedMs);
  if (delayMs > retry.maxDelayMs) {
    return { kind: "throw", error: new RetryAfterTooLongError(status, delayMs, retry.maxDelayMs) };
  }
  return mayRetry(answer, retry, delayMs) ? { kind: "retry", reason: status, delayMs, sleepMs: ownMs } : RETURN;
}

/**
 * The verdict on a network error (a `TypeError` from fetch): the request may have reached the
 * server, so it is retried after the backoff only when repeating is safe. Other errors throw.
 */
export function networkErrorVerdict(
  error: unknown,
  attempt: AttemptFacts,
  retry: ResolvedRetry,
  random: () => number = Math.random,
): Verdict {
  if (!(error instanceof TypeError) || !repeatable(attempt, retry)) return { kind: "throw", error };
  const delayMs = backoffDelay(retry, attempt.retries, random);
  return mayRetry(attempt, retry, delayMs)
    ? { kind: "retry", reason: "network", delayMs, sleepMs: delayMs }
    : { kind: "throw", error };
}
