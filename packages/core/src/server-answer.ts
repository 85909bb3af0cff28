import { exhaustedWait } from "./signals/exhausted-wait.js";
import { parseXRateLimit } from "./signals/parse-x-rate-limit.js";
import { serverWait } from "./signals/server-wait.js";
import { invalid } from "./validate.js";

/**
 * Response headers as any HTTP client gives them: a fetch `Headers`, or a plain object of
 * names to values (axios, got, undici's `request`, Node's `IncomingMessage.headers`).
 */
export type HeadersLike =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** What the upstream API answered to a request a grant let through. */
export interface ServerAnswer {
  /** The HTTP status. */
  readonly status: number;
  /** The answer's headers: `Retry-After`, `X-RateLimit-*`, IETF `RateLimit`. */
  readonly headers?: HeadersLike;
}

/** What an answer says about the quota, read from its status and headers. */
export interface AnswerSignals {
  readonly status: number;
  /** Ms the server asks to wait (`Retry-After` and the like), when it says. */
  readonly waitMs: number | undefined;
  /** `X-RateLimit-Limit` and `-Remaining`, when both are sent. */
  readonly server: { readonly limit: number; readonly remaining: number } | undefined;
  /** Ms until the server's quota resets, when its headers say nothing is left. */
  readonly exhaustedMs: number | undefined;
}

/** The headers as the parsers read them: they only call `get`. */
function toHeaders(input: HeadersLike | undefined): Headers {
  if (input === undefined) return new Headers();
  if (typeof (input as { get?: unknown }).get === "function") return input as Headers;
  const headers = new Headers();
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : String(value));
  }
  return headers;
}

/** Reads an answer's status and rate-limit headers. Never throws on a malformed header. */
export function readAnswer(answer: ServerAnswer): AnswerSignals {
  if (typeof answer !== "object" || answer === null) invalid("answer", "{ status, headers }", answer);
  const { status } = answer;
  if (!Number.isInteger(status) || status < 100 || status > 599)
    invalid("status", "an HTTP status, 100 to 599", status);
  const headers = toHeaders(answer.headers);
  const x = parseXRateLimit(headers);
  return {
    status,
    waitMs: serverWait({ status, headers })?.waitMs,
    server: x.limit === undefined || x.remaining === undefined ? undefined : { limit: x.limit, remaining: x.remaining },
    exhaustedMs: exhaustedWait(headers),
  };
}

/** What to do about an answer. */
export type AnswerPlan =
  /** A normal answer: keep going (`tighten` when the server's `Remaining` may be below Sluice's count). */
  | { readonly kind: "use"; readonly tighten: boolean }
  /**
   * A 429 the schedule can absorb: report it so the quota learns (a wider margin or a smaller
   * share, decided in the store), and send the request again at its next slot.
   */
  | { readonly kind: "learn" }
  /** Every process waits `pauseMs` (0: none), then the request goes again. */
  | { readonly kind: "pause"; readonly pauseMs: number }
  /**
   * The server says its quota is spent. Where a limit of the quota has the server's size,
   * tighten it to the server's count (which spends only what the server counts beyond Sluice's
   * own: when Sluice itself spent the window, the schedule already holds the next requests);
   * otherwise, unable to compare, pause every process for `pauseMs`.
   */
  | { readonly kind: "exhausted"; readonly pauseMs: number };

/** What the quota knows when it judges an answer. */
export interface AnswerContext {
  /** Whether the quota learns (a learned margin); a fixed one pauses on every 429, as told. */
  readonly learning: boolean;
  /**
   * Ms of the quota's longest window: a server wait beyond it (and beyond 1 s, the grain of
   * `Retry-After`'s delta-seconds) is not delay spread.
   */
  readonly longestSpanMs: number;
  /** Whether to act on "nothing left" headers of answers that are not 429/503. */
  readonly onExhausted: "pause" | "ignore";
}

/**
 * The policy for one answer, without I/O:
 * - 503, or a 429 asking for a wait beyond the quota's longest window, or any 429 of a quota
 *   that does not learn: pause every process for the server's wait, then retry;
 * - other 429s: learn (the store decides whether delay spread or spend outside Sluice explains
 *   it) and retry at the next slot, with no quota-wide pause for a short `Retry-After` the
 *   schedule already covers;
 * - other answers: use them; with `X-RateLimit-Remaining` below the limit, tighten to it; with
 *   "nothing left" and a reset, pause only when no limit can be compared with the server's.
 */
export function planAnswer(signals: AnswerSignals, context: AnswerContext): AnswerPlan {
  const { status, waitMs } = signals;
  if (status === 503) return { kind: "pause", pauseMs: waitMs ?? 0 };
  if (status === 429) {
    if (!context.learning || (waitMs !== undefined && waitMs > Math.max(context.longestSpanMs, 1000))) {
      return { kind: "pause", pauseMs: waitMs ?? 0 };
    }
    return { kind: "learn" };
  }
  if (context.onExhausted === "ignore") return { kind: "use", tighten: false };
  if (signals.exhaustedMs !== undefined && signals.exhaustedMs >= 1)
    return { kind: "exhausted", pauseMs: signals.exhaustedMs };
  const server = signals.server;
  return { kind: "use", tighten: server !== undefined && server.remaining < server.limit };
}
