import type { AcquireBatcher, QuotaShape } from "./acquire-batcher.js";
import { type ArrivalFigures, type ArrivalPart, arrivalPart } from "./arrival.js";
import type { Attempt, Decision, Grant, LimitStatus } from "./decision.js";
import { boundToMicros, type Duration, durationToMicros } from "./duration.js";
import { CostExceedsCapacityError } from "./errors/cost-exceeds-capacity-error.js";
import { QuotaExceededError } from "./errors/quota-exceeded-error.js";
import { quotaKeys } from "./keys.js";
import { localMicros } from "./local-clock.js";
import { QuotaMetrics } from "./metrics.js";
import { releasePollMs } from "./release-poll.js";
import { ReleaseQueue } from "./release-queue.js";
import { requestId } from "./request-id.js";
import { checkRules } from "./rules/check-rules.js";
import type { Rule } from "./rules/rule.js";
import { type AnswerPlan, type AnswerSignals, planAnswer, readAnswer, type ServerAnswer } from "./server-answer.js";
import { sleep } from "./sleep.js";
import type { QuotaKeys, Store, StoreArrival, StoreDecision, StoreLearned } from "./store.js";
import { integer, invalid, options } from "./validate.js";

export interface QuotaOptions {
  /** The limits every acquire spends, all at once (all-or-nothing). At least one. */
  readonly limits: readonly Rule[];
  /**
   * Share of each limit, 0 to 0.5, kept for higher priorities: a `"normal"` acquire leaves this
   * share of every limit free for `"high"` ones, a `"low"` acquire twice this share. Decided in
   * the script, so it headrooms across all processes. With headroom, acquires below `"high"` do not
   * reserve ahead: they sleep until the slot the script reports and ask again, so a
   * high-priority request is never queued behind them (their cost: no FIFO among themselves,
   * one more store call per wait). Limits too small for a whole unit of headroom get none.
   * @default 0
   */
  readonly headroom?: number;
  /**
   * For an API that counts requests when they arrive: an `acquire` that reaches its slot
   * later than this (a busy event loop, a slow reply) gives the slot back and asks again, so
   * no request this quota grants leaves more than `maxLateness` after its slot. A learning
   * quota (`arrivalMargin: "learn"`) does so as well past the margin the slot was placed with. Pair it with
   * windows longer than the server's by `maxLateness` plus the network's jitter: then
   * arrivals never crowd a server window. Ms, or a string like `"20ms"`.
   * @default Infinity (a grant is used however late)
   */
  readonly maxLateness?: Duration;
  /**
   * How much earlier than the API's own limit the quota plans, so that requests that leave late
   * (a busy event loop) or travel slowly still arrive inside the API's windows: every window is
   * counted over `window + margin`, a token bucket keeps a slot `margin` further from the one
   * `burst` places before it, a fixed window counts the last `margin` of a window against the
   * next one too. `"learn"` starts at 25 ms (at most its cap: a quarter of the shortest window, or
   * a token bucket's interval when longer), grows
   * on 429s that delay spread explains, lowers the share of each limit on 429s that spend
   * outside Sluice explains, and steps both back while the quota runs clean (all decided in
   * the store, shared by every process; see `feedback`). A duration fixes the margin and learns
   * nothing; `0` with `pacing: false` makes the quota exact on Redis's clock alone.
   * @default "learn"
   */
  readonly arrivalMargin?: "learn" | Duration;
  /**
   * Least time between two slots of the quota, so that slots a window frees at one instant are
   * spread, not all due at once (which is what makes requests late on a busy host). Ms or a
   * string; `false` for none.
   * @default 1 ms, or a quarter of the shortest interval between units when that is smaller
   */
  readonly pacing?: Duration | false;
}

/** What an answer meant for the quota, from `Quota.feedback`. */
export interface Feedback {
  /**
   * Whether to send the request again: the server did not act on it (429, 503). Acquire again:
   * the next slot is after any pause and under what the quota just learned.
   */
  readonly retry: boolean;
  /**
   * - `"ok"`: nothing to learn;
   * - `"delay-spread"`: a 429 that late arrivals explain: the margin grew;
   * - `"outside-spend"`: a 429 or `Remaining` that only spend outside Sluice explains: the share
   *   of each limit fell, or the limits were spent down to the server's figure;
   * - `"same-burst"`: a 429 of a burst already learned from (its grant came before the change);
   * - `"server-wait"`: every process pauses for the server's wait.
   */
  readonly cause: "ok" | "delay-spread" | "outside-spend" | "same-burst" | "server-wait";
  /** Ms every process pauses (0: none). */
  readonly pausedMs: number;
  /** The server's wait, when it gave one (`Retry-After` and the like). */
  readonly serverWaitMs: number | undefined;
  /** The arrival figures in force after this answer; `undefined` for a quota without them. */
  readonly arrival: ArrivalFigures | undefined;
}

/** Options of `Quota.feedback`. */
export interface FeedbackOptions {
  /**
   * What to do when the headers of an answer that is not a 429 say the server's quota is spent:
   * `"pause"` tightens the quota to the server's count (or pauses until the reset when no limit
   * has the server's size); `"ignore"` does nothing.
   * @default "pause"
   */
  readonly onExhausted?: "pause" | "ignore";
}

/** How much headroom an acquire must leave: `"high"` none, `"normal"` one share, `"low"` two. */
export type Priority = "high" | "normal" | "low";

export interface TryAcquireOptions {
  /** Units to spend on every rate limit (a concurrency limit always takes one slot). @default 1 */
  readonly cost?: number;
  /** Priority against the quota's `headroom`. @default "normal" */
  readonly priority?: Priority;
  /**
   * Names this request, like an idempotency key (a function invocation's or a queue message's
   * id): 1 to 200 printable ASCII characters, no spaces, `:` or `~`. A retry under the same id within
   * an hour (the reply was lost, the invocation or the message was retried) gets the first
   * decision and spends nothing again; that grant is used as it was made, however late (never
   * given back for `maxLateness`, never measured for the arrival margin). The id is the grant's
   * lease and its log entries (`grant.lease === id`, except after an `acquire` gave a late slot
   * back: it asks again under `${id}~` and a unique suffix). Never reuse an id for another
   * request: it would be answered with the first one's grant.
   * Only a grant is remembered: a retry is decided afresh after a denial (a `tryAcquire` refused,
   * an `acquire` out of `maxWait`), after a grant given back (an abort, a late slot) and, on a
   * quota with concurrency limits, once the grant's lease was released or expired. A named
   * request goes to the store in a call of its own, never coalesced with others.
   */
  readonly id?: string;
}

const priorityLevels: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

const causes = ["same-burst", "delay-spread", "outside-spend"] as const;

export interface AcquireOptions extends TryAcquireOptions {
  /**
   * Longest the caller accepts to wait for a slot: 0 ms to 366 days (ms or a string like `"5s"`), or `Infinity`.
   * The slot is reserved at once and the caller sleeps exactly until it, once; a full
   * concurrency limit is waited on until a release. Beyond it: `QuotaExceededError`.
   * @default Infinity
   */
  readonly maxWait?: Duration;
  /** Aborting gives a reserved slot back and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Called once, with the store's first answer, before any sleep. `allowed` with `admittedAt`
   * ahead means the slot is already reserved for this caller: a caller choosing among quotas
   * (a key pool) can let the next choice see it.
   */
  readonly onFirstReply?: (decision: Decision) => void;
}

/** A read-only view of a quota. */
export interface QuotaState {
  /** Epoch ms until which the quota is paused, or `undefined`. */
  readonly pausedUntil: number | undefined;
  readonly redisTime: number;
  readonly limits: readonly LimitStatus[];
  /** The margin and share in force, for a quota that has them (see `arrivalMargin`). */
  readonly arrival: ArrivalFigures | undefined;
}

const figuresOf = (arrival: StoreArrival | undefined): ArrivalFigures | undefined =>
  arrival === undefined ? undefined : { marginMs: arrival.marginUs / 1000, share: arrival.share / 1000 };

/** How often a process reports the lateness it measured, at most (ms). */
const LATE_REPORT_MS = { least: 50, most: 5_000 } as const;

const costOf = (input: TryAcquireOptions | undefined): number =>
  integer("cost", input?.cost === undefined ? 1 : input.cost, 1);

/**
 * A caller's request id: printable ASCII from `!` to `}`, so without spaces or the `~` of derived
 * ids, and without `:`, which names the further units of a cost above 1 (`id:2`, …) in a log.
 */
const CALLER_ID = /^(?:[!-9]|[;-}]){1,200}$/;

/** The caller's `id`, validated; `undefined` for an unnamed request. */
function idOf(input: TryAcquireOptions | undefined): string | undefined {
  const id = input?.id;
  if (id !== undefined && (typeof id !== "string" || !CALLER_ID.test(id)))
    invalid("id", "1 to 200 printable ASCII characters without spaces, `:` or `~`", id);
  return id;
}

/** The `performance.now()` deadline for a slot, `Infinity` for no bound. */
function deadlineOf(value: Duration | undefined): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  return performance.now() + boundToMicros("maxWait", value, 0) / 1000;
}

/**
 * Where each grant of this process was placed: its slot on this process's clock and the store
 * time (µs) at which it was decided, for `feedback`.
 */
const placements = new WeakMap<Decision, { readonly slotUs: number; readonly decidedUs: number }>();

/** The release queue of a quota and how many acquires are using it. */
interface Releases {
  readonly queue: Promise<ReleaseQueue>;
  users: number;
}

/** One named quota: a set of limits that every process using the same name shares. */
export class Quota {
  readonly name: string;
  readonly rules: readonly Rule[];
  readonly #store: Store;
  readonly #keys: QuotaKeys;
  readonly #shape: QuotaShape;
  readonly #leaseKeys: readonly string[];
  readonly #batcher: AcquireBatcher;
  readonly #headroom: number;
  readonly #maxLatenessMs: number;
  readonly #arrival: ArrivalPart | undefined;
  /** Whether the arrival part learns (its cap is above 0): a fixed margin learns nothing. */
  readonly #learning: boolean;
  /** Ms of the longest window (or refill time) of the quota's rate limits. */
  readonly #longestSpanMs: number;
  /** The largest lateness measured since the last report (µs), and when that report went (ms). */
  #latePeakUs = 0;
  #lateReportedAt = Number.NEGATIVE_INFINITY;
  /** The arrival figures of the latest decision or report this process saw. */
  #lastFigures: ArrivalFigures | undefined;
  /** Shared by this quota's waiters for a concurrency slot while there are any. */
  #releases: Releases | undefined;
  readonly #metrics: QuotaMetrics;

  /** Made by `Limiter.quota`; `batcher` decides this process's acquires, coalesced or not. */
  constructor(store: Store, batcher: AcquireBatcher, prefix: string, name: string, input: QuotaOptions) {
    if (typeof name !== "string" || name === "") invalid("name", "a non-empty string", name);
    const { limits, headroom = 0, maxLateness, arrivalMargin, pacing } = options("quota options", input);
    this.#maxLatenessMs =
      maxLateness === undefined ? Number.POSITIVE_INFINITY : boundToMicros("maxLateness", maxLateness) / 1000;
    if (typeof headroom !== "number" || !(headroom >= 0 && headroom <= 0.5))
      invalid("headroom", "a number from 0 to 0.5", headroom);
    this.#headroom = headroom;
    this.name = name;
    this.rules = checkRules("limits", limits);
    this.#store = store;
    this.#keys = quotaKeys(prefix, name, this.rules);
    this.#arrival = arrivalPart(this.#keys.base, this.rules, arrivalMargin, pacing);
    this.#learning = this.#arrival !== undefined && this.#arrival.wire[3] > 0;
    this.#metrics = new QuotaMetrics(name, this.#arrival === undefined ? undefined : () => this.#lastFigures);
    this.#longestSpanMs = Math.max(...this.rules.map((rule) => rule.spanUs).filter(Number.isFinite), 0) / 1000;
    this.#leaseKeys = this.#keys.limits.filter((_, i) => this.rules[i]?.leased);
    this.#shape = batcher.shape(this.#keys, this.rules, this.#arrival);
    this.#batcher = batcher;
  }

  /** Per mille of each limit an acquire of this priority leaves free; checks that the cost can ever fit. */
  #headroomFor(cost: number, input: TryAcquireOptions | undefined): number {
    const priority = input?.priority === undefined ? "normal" : input.priority;
    if (!Object.hasOwn(priorityLevels, priority)) invalid("priority", '"high", "normal" or "low"', priority);
    const headroomPerMille = Math.round(priorityLevels[priority] * this.#headroom * 1000);
    for (const rule of this.rules) {
      if (cost > rule.capacity) throw new CostExceedsCapacityError(cost, rule.capacity, rule.label);
      const headroom = Math.floor((rule.size * headroomPerMille) / 1000);
      const need = rule.leased ? 1 : cost;
      if (need + headroom > rule.size)
        throw new CostExceedsCapacityError(need, rule.size - headroom, `${rule.label} at priority "${priority}"`);
    }
    return headroomPerMille;
  }

  #decision(raw: StoreDecision, lease: string): Attempt {
    // A replayed decision carries the figures of its time, not the latest.
    if (raw.arrival !== undefined && !raw.replayed) this.#lastFigures = figuresOf(raw.arrival);
    const limits = new Array<LimitStatus>(this.rules.length);
    let resetAt = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < limits.length; i++) {
      const status = raw.limits[i];
      const limit = {
        rule: this.rules[i] as Rule,
        remaining: status?.remaining ?? 0,
        resetAt: (status?.resetUs ?? raw.nowUs) / 1000,
      };
      limits[i] = limit;
      if (limit.resetAt > resetAt) resetAt = limit.resetAt;
    }
    return {
      allowed: raw.admitted,
      retryAfterMs: Math.ceil(raw.waitUs / 1000),
      redisTime: raw.nowUs / 1000,
      admittedAt: raw.admitted ? (raw.nowUs + raw.waitUs) / 1000 : undefined,
      resetAt,
      blockedBy: raw.blocking === -1 ? "pause" : this.rules[raw.blocking - 1],
      limits,
      lease,
    };
  }

  /**
   * Decides now, never waits: `allowed` or not, with `retryAfterMs`. Spends only if allowed.
   * With `maxLateness`, a grant whose reply came later than that after its slot is given back
   * and reported denied, with `retryAfterMs` 0 and no `blockedBy`.
   */
  async tryAcquire(input?: TryAcquireOptions): Promise<Attempt> {
    const cost = costOf(input);
    const named = idOf(input);
    const headroomPerMille = this.#headroomFor(cost, input);
    const lease = named ?? requestId();
    const now = performance.now();
    const raw = await this.#batcher.decide(this.#shape, lease, cost, now, headroomPerMille, named !== undefined);
    const decision = this.#decision(raw, lease);
    // A named request's first decision, answered again (`raw.replayed`), stands as it was made.
    if (raw.admitted && !raw.replayed) placements.set(decision, { slotUs: this.#slotUs(raw), decidedUs: raw.nowUs });
    const late =
      raw.admitted &&
      !raw.replayed &&
      this.#maxLatenessMs < Number.POSITIVE_INFINITY &&
      (localMicros() - this.#slotUs(raw)) / 1000 > this.#maxLatenessMs;
    if (!late) {
      this.#metrics.decided(decision.allowed, decision.blockedBy);
      return decision;
    }
    await this.#giveBack(raw, lease, cost, named !== undefined);
    this.#metrics.decided(false, undefined);
    return { ...decision, allowed: false, retryAfterMs: 0, admittedAt: undefined, blockedBy: undefined };
  }

  /**
   * Waits for a slot (up to `maxWait`) and spends it. One store call reserves the slot; the
   * caller then sleeps until it, once. Release the grant if the quota has concurrency limits.
   * @throws QuotaExceededError when no slot is free within `maxWait` (nothing is spent).
   * @throws CostExceedsCapacityError at once when the cost can never fit.
   */
  async acquire(input?: AcquireOptions): Promise<Grant> {
    const cost = costOf(input);
    const deadline = deadlineOf(input?.maxWait);
    const signal = input?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) invalid("signal", "an AbortSignal", signal);
    let onFirstReply = input?.onFirstReply;
    if (onFirstReply !== undefined && typeof onFirstReply !== "function")
      invalid("onFirstReply", "a function (decision) => void", onFirstReply);
    const named = idOf(input);
    const headroomPerMille = this.#headroomFor(cost, input);
    let listening = false;
    let woken = false;
    let polls = 0;
    let gaveBack = false;
    /** When the store first answered (`performance.now()`): a grant's wait counts from there. */
    let firstReplyAt: number | undefined;
    try {
      for (;;) {
        signal?.throwIfAborted();
        // A named acquire asks under its id until it gives a slot back: a denial writes
        // nothing, so asking again under it is safe, and a retry finds the grant under it. A
        // give-back is best effort (what it did not undo still holds the id): later asks take
        // ids of their own, unique even across retries, which no retry asks under, so the store
        // does not remember them.
        const remembered = named !== undefined && !gaveBack;
        const lease = named === undefined ? requestId() : remembered ? named : `${named}~${requestId()}`;
        // Below the top priority (headroom in use) nothing is reserved ahead: a queue of
        // reservations would make a later high-priority request wait behind it.
        const reserveUntil = headroomPerMille > 0 ? performance.now() : deadline;
        const raw = await this.#batcher.decide(this.#shape, lease, cost, reserveUntil, headroomPerMille, remembered);
        const decision = this.#decision(raw, lease);
        firstReplyAt ??= performance.now();
        if (onFirstReply !== undefined) {
          const call = onFirstReply;
          onFirstReply = undefined;
          try {
            call(decision);
          } catch (error) {
            if (raw.admitted) await this.#giveBack(raw, lease, cost, remembered);
            throw error;
          }
        }
        if (raw.admitted) {
          // A named request's first decision, answered again, stands as it was made: its slot
          // is waited for if still ahead, and its lateness is the retry's, not this process's.
          if (!raw.replayed) placements.set(decision, { slotUs: this.#slotUs(raw), decidedUs: raw.nowUs });
          const lateMs = await this.#sleepUntilSlot(raw, lease, cost, signal, remembered);
          if (!raw.replayed) this.#measured(lateMs * 1000);
          if (raw.replayed || (lateMs <= this.#latenessBound(raw) && !this.#tightenedSince(raw))) {
            // admitted: allowed is true and admittedAt is set
            this.#metrics.granted(decision, performance.now() - firstReplyAt);
            return decision as Grant;
          }
          // Too late to be used as granted, or placed under a margin or share the quota has
          // since tightened (the 429s of that burst would follow): give it back and ask again,
          // within maxWait.
          await this.#giveBack(raw, lease, cost, remembered);
          gaveBack = true;
          if (performance.now() >= deadline) throw new QuotaExceededError(this.name, decision);
          continue;
        }
        if (raw.queueable && headroomPerMille > 0 && performance.now() + decision.retryAfterMs <= deadline) {
          // Sleep until the slot the script found, once, then ask again; higher priorities go first.
          await sleep(decision.retryAfterMs, signal);
          continue;
        }
        if (raw.queueable || performance.now() >= deadline) throw new QuotaExceededError(this.name, decision);
        if (this.#store.onRelease === undefined) {
          // No word of releases (a store over HTTP): ask again at the earliest lease expiry or
          // after a backoff, whichever is sooner, within maxWait.
          const untilDeadlineMs = deadline - performance.now();
          const pollMs = Math.min(decision.retryAfterMs, releasePollMs(polls++));
          await sleep(Math.min(pollMs, untilDeadlineMs), signal);
          if (pollMs >= untilDeadlineMs) throw new QuotaExceededError(this.name, decision);
          continue;
        }
        // A full semaphore: listen first, then retry at once so a release in between is not missed.
        if (!listening) {
          await this.#joinReleases();
          listening = true;
          continue;
        }
        const queue = await (this.#releases as Releases).queue;
        const waitMs = Math.min(decision.retryAfterMs, deadline - performance.now());
        woken = (await queue.wait(waitMs, signal, woken)) === "released";
        // Out of time with no release: no slot came, so asking the store again is pointless.
        if (!woken && performance.now() >= deadline) throw new QuotaExceededError(this.name, decision);
      }
    } catch (error) {
      if (error instanceof QuotaExceededError) this.#metrics.decided(false, error.decision.blockedBy);
      throw error;
    } finally {
      if (listening) this.#leaveReleases();
    }
  }

  async #joinReleases(): Promise<void> {
    if (this.#releases === undefined) {
      const queue = ReleaseQueue.open(this.#store, this.#leaseKeys);
      this.#releases = { queue, users: 0 };
      queue.catch(() => {
        this.#releases = undefined;
      });
    }
    this.#releases.users++;
    await this.#releases.queue;
  }

  #leaveReleases(): void {
    const releases = this.#releases;
    if (releases === undefined || --releases.users > 0) return;
    this.#releases = undefined;
    void releases.queue.then((queue) => queue.close()).catch(() => {});
  }

  /**
   * Sleeps until the slot, on this process's clock when the store can place it there (so a
   * slow reply does not delay the request), else counted from the reply. Returns how late it
   * woke, in ms. An abort gives the slot back and rejects with its reason.
   */
  async #sleepUntilSlot(
    raw: StoreDecision,
    lease: string,
    cost: number,
    signal: AbortSignal | undefined,
    named: boolean,
  ): Promise<number> {
    const slotUs = this.#slotUs(raw);
    const sleepMs = Math.ceil((slotUs - localMicros()) / 1000);
    if (sleepMs > 0) {
      try {
        await sleep(sleepMs, signal);
      } catch (reason) {
        await this.#giveBack(raw, lease, cost, named);
        throw reason;
      }
    }
    return (localMicros() - slotUs) / 1000;
  }

  /** The decision's slot on this process's clock (`localMicros`); counted from now when the store cannot place it. */
  #slotUs(raw: StoreDecision): number {
    return (raw.localNowUs ?? localMicros()) + raw.waitUs;
  }

  /**
   * Gives an unused slot back; for a `named` request the store forgets its remembered reply
   * too, so that a retry is decided afresh. Best effort: if the store fails, the slot stays
   * spent (unused, never over-spent) and remembered.
   */
  async #giveBack(raw: StoreDecision, lease: string, cost: number, named = false): Promise<void> {
    await this.#store
      .cancel({
        keys: this.#keys,
        rules: this.rules,
        id: lease,
        cost,
        slotUs: raw.nowUs + raw.waitUs,
        resetsUs: raw.limits.map((l) => l.resetUs),
        named,
      })
      .catch(() => {});
  }

  /**
   * How late a grant may be used: `maxLateness`, and for a learning quota the margin the grant
   * was placed with (a request leaving later than that would arrive among the next window's).
   */
  #latenessBound(raw: StoreDecision): number {
    return this.#learning && raw.arrival !== undefined
      ? Math.min(this.#maxLatenessMs, raw.arrival.marginUs / 1000)
      : this.#maxLatenessMs;
  }

  /**
   * Whether the quota learned a wider margin or a smaller share than the ones this decision was
   * made with, as far as this process has seen (its later decisions and answers).
   */
  #tightenedSince(raw: StoreDecision): boolean {
    const now = this.#lastFigures;
    if (raw.arrival === undefined || now === undefined) return false;
    return now.marginMs * 1000 > raw.arrival.marginUs || now.share * 1000 < raw.arrival.share;
  }

  /**
   * Keeps the largest lateness measured (µs) and reports it to the store now and then, or at
   * once when it is above the margin in force: the lateness processes report is the floor of
   * the learned margin and tells delay spread from spend outside Sluice. Best effort, never
   * awaited.
   */
  #measured(latenessUs: number): void {
    const arrival = this.#arrival;
    if (arrival === undefined || !this.#learning) return;
    if (latenessUs > this.#latePeakUs) this.#latePeakUs = latenessUs;
    const everyMs = Math.min(LATE_REPORT_MS.most, Math.max(LATE_REPORT_MS.least, (2 * arrival.wire[3]) / 1000));
    const now = performance.now();
    const marginUs = (this.#lastFigures?.marginMs ?? arrival.wire[1] / 1000) * 1000;
    if (now - this.#lateReportedAt < everyMs && this.#latePeakUs <= marginUs) return;
    this.#lateReportedAt = now;
    const peakUs = Math.round(this.#latePeakUs);
    this.#latePeakUs = 0;
    this.#store.report(arrival, { kind: "late", decidedUs: 0, latenessUs: peakUs }).catch(() => {});
  }

  /**
   * Tells the quota what the API answered to a request `grant` let through, so that every
   * process adapts: call it with each answer's status and headers, whatever the HTTP client.
   * - a 429 that late arrivals explain widens the margin, one that spend outside Sluice explains
   *   lowers the share of each limit (decided in the store: see `arrivalMargin`); either way, no
   *   quota-wide pause: `retry` says to acquire again, which gives the request its next slot;
   * - a 503, or a 429 asking for a wait beyond the quota's longest window, pauses every process
   *   for the server's wait (a quota with a fixed margin pauses on every 429, as before);
   * - `X-RateLimit-Remaining` below what the quota believes is spent down to the server's figure;
   *   "nothing left" headers pause only when no limit can be compared with the server's.
   * It also measures how late the request was answered after its slot.
   * @example
   * const grant = await quota.acquire();
   * const res = await axios.get(url, { validateStatus: () => true });
   * const { retry } = await quota.feedback(grant, { status: res.status, headers: res.headers });
   */
  async feedback(grant: Decision, answer: ServerAnswer, options?: FeedbackOptions): Promise<Feedback> {
    const onExhausted = options?.onExhausted ?? "pause";
    if (onExhausted !== "pause" && onExhausted !== "ignore") invalid("onExhausted", '"pause" or "ignore"', onExhausted);
    if (typeof grant !== "object" || grant === null || grant.allowed !== true)
      invalid("grant", "a grant from acquire or an allowed tryAcquire", grant);
    const signals = readAnswer(answer);
    const placed = placements.get(grant);
    const latenessUs = placed === undefined ? 0 : Math.max(0, localMicros() - placed.slotUs);
    if (placed !== undefined) this.#measured(latenessUs);
    const plan: AnswerPlan = planAnswer(signals, {
      learning: this.#learning,
      longestSpanMs: this.#longestSpanMs,
      onExhausted,
    });
    const result = (cause: Feedback["cause"], pausedMs: number, figures?: StoreArrival): Feedback => {
      if (signals.status === 429) this.#metrics.rateLimited(cause);
      return {
        retry: signals.status === 429 || signals.status === 503,
        cause,
        pausedMs,
        serverWaitMs: signals.waitMs,
        arrival: figuresOf(figures) ?? this.#lastFigures,
      };
    };
    switch (plan.kind) {
      case "use": {
        const spent = plan.tighten ? await this.#spendDownTo(signals.server, grant) : 0;
        return result(spent !== undefined && spent > 0 ? "outside-spend" : "ok", 0);
      }
      case "exhausted": {
        const spent = await this.#spendDownTo(signals.server, grant);
        if (spent !== undefined) return result(spent > 0 ? "outside-spend" : "ok", 0);
        await this.pause(plan.pauseMs);
        return result("server-wait", plan.pauseMs);
      }
      case "pause": {
        if (plan.pauseMs >= 1) await this.pause(plan.pauseMs);
        await this.#noteAnswer(signals.status, "server-wait", plan.pauseMs, undefined);
        return result("server-wait", plan.pauseMs >= 1 ? plan.pauseMs : 0);
      }
      case "learn": {
        const learned = await this.#store.report(this.#arrival as ArrivalPart, {
          kind: "limited",
          decidedUs: placed?.decidedUs ?? grant.redisTime * 1000,
          latenessUs,
        });
        this.#lastFigures = figuresOf(learned);
        const cause = causes[learned.change];
        await this.#noteAnswer(signals.status, cause, 0, learned);
        return result(cause, 0, learned);
      }
    }
  }

  /**
   * Tightens every rate limit whose size is the server's `X-RateLimit-Limit` to its `Remaining`:
   * the units spent, or `undefined` when no limit has that size (nothing to compare with). Only
   * limits the grant saw with more left than the server says are asked (a store call each): at
   * full use the quota's own count, reservations included, is usually at least the server's.
   */
  async #spendDownTo(server: AnswerSignals["server"], grant: Decision): Promise<number | undefined> {
    if (server === undefined) return undefined;
    // A concurrency limit's capacity is Infinity: never the server's figure.
    const sized = this.rules.filter((rule) => rule.capacity === server.limit);
    if (sized.length === 0) return undefined;
    const remaining = Math.min(server.remaining, server.limit);
    const behind = sized.filter((rule) => (grant.limits.find((l) => l.rule === rule)?.remaining ?? 0) > remaining);
    const spent = await Promise.all(behind.map((rule) => this.tighten(rule, remaining).catch(() => 0)));
    return spent.reduce((a, b) => a + b, 0);
  }

  /** Records a 429 or 503 in the shared history for `sluice status`; best effort. */
  async #noteAnswer(status: number, cause: Feedback["cause"], pausedMs: number, learned: StoreLearned | undefined) {
    await this.note({ type: "rate-limited", status, cause, pausedMs, ...figuresOf(learned) }).catch(() => {});
  }

  /** Frees the concurrency slot of a grant (a no-op for quotas without concurrency limits). */
  async release(grant: Pick<Grant, "lease"> | string): Promise<void> {
    const lease = typeof grant === "string" ? grant : grant?.lease;
    if (typeof lease !== "string" || lease === "") invalid("grant", "a grant from acquire, or its lease id", grant);
    if (this.#leaseKeys.length === 0) return;
    await this.#store.release(this.#leaseKeys, lease);
  }

  /** Acquires, runs `task`, and releases the concurrency slot even if `task` throws. */
  async schedule<T>(task: (grant: Grant) => T | Promise<T>, input?: AcquireOptions): Promise<T> {
    if (typeof task !== "function") invalid("task", "a function", task);
    const grant = await this.acquire(input);
    try {
      return await task(grant);
    } finally {
      await this.release(grant);
    }
  }

  /**
   * Makes every process's next acquire on this quota wait until `duration` from now (e.g. the
   * server's Retry-After). A shorter pause never shortens a longer one in force.
   * @returns epoch ms at which the pause in force ends.
   */
  async pause(duration: Duration): Promise<number> {
    const untilUs = await this.#store.pause(this.#keys.pause, durationToMicros("duration", duration));
    this.#metrics.paused();
    return untilUs / 1000;
  }

  /** Reads the quota without spending anything. */
  async state(): Promise<QuotaState> {
    const [[raw]] = (await this.#store.acquire(
      [
        {
          keys: this.#keys,
          rules: this.rules,
          arrival: this.#arrival,
          requests: [{ id: "", cost: 0, maxWaitUs: 0, headroomPerMille: 0 }],
        },
      ],
      {
        record: false,
      },
    )) as [[StoreDecision]];
    const decision = this.#decision(raw, "");
    return {
      pausedUntil: raw.blocking === -1 ? (raw.nowUs + raw.waitUs) / 1000 : undefined,
      redisTime: decision.redisTime,
      limits: decision.limits,
      arrival: figuresOf(raw.arrival),
    };
  }

  /** Forgets everything this quota spent, reserved, leased, paused or noted. */
  async reset(): Promise<void> {
    const arrival = this.#arrival === undefined ? [] : [this.#arrival.key];
    await this.#store.reset([this.#keys.pause, ...this.#keys.limits, ...arrival, this.#keys.events]);
  }

  /**
   * Tightens one limit to the server's figure: when the server says only `remaining` units are
   * left (another client outside Sluice spends the same quota) and the shared state believes
   * more, the difference is spent now, for every process. Never loosens; repeated reports of
   * the same figure spend once. Not for concurrency limits.
   * @returns the units spent.
   */
  async tighten(rule: Rule, remaining: number): Promise<number> {
    const index = this.rules.indexOf(rule);
    if (index < 0 || rule.leased) invalid("rule", "a rate limit of this quota", rule?.label);
    integer("remaining", remaining, 0);
    return this.#store.tighten(this.#keys.limits[index] as string, rule, remaining, requestId());
  }

  /**
   * Records an event in the quota's short shared history (the newest 50, kept a day), e.g. a
   * 429 seen by the fetch wrapper, for `sluice status`. Never put secrets in it.
   */
  async note(event: { readonly type: string } & Record<string, unknown>): Promise<void> {
    const entry = JSON.stringify({ ...event, at: Date.now() });
    await this.#store.note(this.#keys.events, entry, 50, 24 * 60 * 60 * 1000);
  }
}
