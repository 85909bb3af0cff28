import { encodeOne, isOneRequest } from "./acquire-one-wire.js";
import { callKey, decodeAcquire, encodeAcquire, replyTimes } from "./acquire-wire.js";
import type { ArrivalPart } from "./arrival.js";
import { ClockOffset } from "./clock-offset.js";
import {
  acquireConcurrencyScript,
  acquireFixedWindowScript,
  acquireOneFixedWindowScript,
  acquireOneSlidingBucketsScript,
  acquireOneSlidingLogScript,
  acquireOneTokenBucketScript,
  acquireScript,
  acquireSlidingWindowScript,
  acquireTokenBucketScript,
  cancelScript,
  feedbackScript,
  noteScript,
  pauseScript,
  releaseScript,
  resetScript,
  tightenScript,
} from "./generated/scripts.js";
import { localMicros } from "./local-clock.js";
import type { LuaScript } from "./lua-script.js";
import type { Rule, WireCode } from "./rules/rule.js";
import { runScript, type ScriptClient } from "./script-client.js";
import type { Store, StoreAcquire, StoreCall, StoreCancel, StoreDecision, StoreLearned, StoreReport } from "./store.js";
import { integer } from "./validate.js";

const oneKindScripts: Record<Rule["kind"], LuaScript> = {
  tokenBucket: acquireTokenBucketScript,
  slidingWindow: acquireSlidingWindowScript,
  fixedWindow: acquireFixedWindowScript,
  concurrency: acquireConcurrencyScript,
};

/**
 * The script for one request of a quota with one limit of this code (lua/acquire-one-*.lua);
 * a code without one goes to its batch script.
 */
const oneRequestScriptOf: Partial<Record<WireCode, LuaScript>> = {
  tb: acquireOneTokenBucketScript,
  sw: acquireOneSlidingLogScript,
  swb: acquireOneSlidingBucketsScript,
  fw: acquireOneFixedWindowScript,
};

export interface RedisStoreOptions {
  /**
   * Keep each acquire call's reply in Redis for `rememberMs`, so that a call the client resends
   * after a reconnect (its first reply lost) is answered, not charged twice. Off by default: a
   * resend then spends a slot nobody uses (never over-spends), and every call saves one key's
   * write and memory.
   * @default false
   */
  readonly rememberReplies?: boolean;
  /**
   * How long remembered replies and cancel marks (a resent cancel never refunds twice) live,
   * in ms. Cover the caller's timeout.
   * @default 2000
   */
  readonly rememberMs?: number;
  /**
   * How long the reply of a named request (`acquire({ id })`) that admitted it is kept, in ms,
   * whatever `rememberReplies` says: a retry under the same id within it gets the first
   * decision. Cover the caller's retries (a function's retry policy, a queue's redelivery).
   * At least 1.
   * @default 3_600_000 (an hour)
   */
  readonly rememberNamedMs?: number;
  /**
   * Decide a call of one request on a quota of one limit with a script made for it
   * (lua/acquire-one-*.lua): a fraction of the batch script's work on Redis. `false` sends it to
   * the batch script, which decides it alike (the conformance suite runs both).
   * @default true
   */
  readonly oneRequestScripts?: boolean;
  /**
   * The caller's timeout, in ms: a recording call that reaches Redis later than this after it
   * was sent (a stall, a reconnect) admits nothing, so nobody's slot is spent for a caller that
   * already gave up. The deadline is put on Redis's clock with the offset seen in earlier
   * replies (never the local clock); the first call of a store carries none.
   */
  readonly timeoutMs?: number;
}

/** Quota state in Redis, decided by the embedded Lua scripts on Redis's clock. */
export class RedisStore implements Store {
  readonly #client: ScriptClient;
  readonly #rememberMs: number;
  readonly #rememberReplies: boolean;
  readonly #rememberNamedMs: number;
  readonly #oneRequestScripts: boolean;
  readonly #timeoutMs: number | undefined;
  /** Redis time minus local time, from the replies. */
  readonly #offset = new ClockOffset();

  constructor(client: ScriptClient, options: RedisStoreOptions = {}) {
    this.#client = client;
    this.#rememberMs = options.rememberMs ?? 2000;
    this.#rememberReplies = options.rememberReplies ?? false;
    this.#rememberNamedMs = integer("rememberNamedMs", options.rememberNamedMs ?? 3_600_000, 1);
    this.#timeoutMs = options.timeoutMs;
    this.#oneRequestScripts = options.oneRequestScripts ?? true;
    const subscribe = client.subscribe?.bind(client);
    this.onRelease = subscribe === undefined ? undefined : (key, listener) => subscribe(key, listener);
  }

  #deadline(record: boolean): string {
    const offsetUs = this.#offset.offsetUs;
    if (!record || this.#timeoutMs === undefined || offsetUs === undefined) return "";
    return String(Math.floor(localMicros() + offsetUs + this.#timeoutMs * 1000));
  }

  /** Ms the acquire script keeps the call's reply: 0 for none, negative for a named request's call. */
  #rememberOf(call: StoreCall): number {
    if (!call.record) return 0;
    if (call.remember === true) return -this.#rememberNamedMs;
    return this.#rememberReplies ? this.#rememberMs : 0;
  }

  /**
   * The script and its KEYS and ARGV for a call: one request on one limit (nothing else waited)
   * goes to its own script, without a batch's parsing; anything else to the smallest batch
   * script that knows every rule's algorithm (less Lua for Redis to run per call).
   */
  #wire(quotas: readonly StoreAcquire[], call: StoreCall): { script: LuaScript; keys: string[]; args: string[] } {
    const now = call.nowUs === undefined ? "" : String(call.nowUs);
    const remember = String(this.#rememberOf(call));
    const one =
      call.record && this.#oneRequestScripts && isOneRequest(quotas) ? (quotas[0] as StoreAcquire) : undefined;
    const oneScript = one === undefined ? undefined : oneRequestScriptOf[(one.rules[0] as Rule).wire[0]];
    if (one !== undefined && oneScript !== undefined) {
      return { script: oneScript, ...encodeOne(one, [now, remember, this.#deadline(true)]) };
    }
    const wire = encodeAcquire(quotas);
    const args = [now, call.record ? "1" : "0", remember, this.#deadline(call.record), ...wire.args];
    return { script: wire.kinds === "mixed" ? acquireScript : oneKindScripts[wire.kinds], keys: wire.keys, args };
  }

  async acquire(quotas: readonly StoreAcquire[], call: StoreCall): Promise<StoreDecision[][]> {
    const { script, keys, args } = this.#wire(quotas, call);
    const sentUs = localMicros();
    const reply = await runScript(this.#client, script, keys, args);
    const times = replyTimes(reply, quotas);
    // A resend's remembered reply answers this very call; a named call's answers an earlier one.
    const replayed = call.remember === true && times?.remembered === true;
    if (call.nowUs !== undefined || times === undefined) return decodeAcquire(reply, quotas, undefined, replayed);
    // On Redis's clock: place its time of decision on this process's clock too; a replayed
    // decision, made before this call was sent, by its age when answered.
    const receivedUs = localMicros();
    this.#offset.observe(times.answeredUs, receivedUs);
    const localNowUs = replayed
      ? this.#offset.localTimeOf(times.answeredUs, sentUs, receivedUs) - (times.answeredUs - times.decidedUs)
      : this.#offset.localTimeOf(times.decidedUs, sentUs, receivedUs);
    return decodeAcquire(reply, quotas, localNowUs, replayed);
  }

  slotOf(key: string): number {
    return this.#client.slotOf(key);
  }

  async cancel(request: StoreCancel): Promise<void> {
    const args = [request.id, String(request.cost), String(request.slotUs)];
    request.rules.forEach((rule, i) => {
      args.push(...rule.wire.map(String), String(request.resetsUs[i] ?? 0));
    });
    args.push(String(this.#rememberMs));
    const keys = [`${request.keys.base}cancel:${request.id}`, ...request.keys.limits];
    if (request.named === true) keys.push(callKey(request.keys, request.id));
    await runScript(this.#client, cancelScript, keys, args);
  }

  async release(keys: readonly string[], id: string): Promise<number> {
    if (keys.length === 0) return 0;
    return Number(await runScript(this.#client, releaseScript, keys, [id]));
  }

  async pause(key: string, durationUs: number, nowUs?: number): Promise<number> {
    return Number(
      await runScript(this.#client, pauseScript, [key], [String(durationUs), nowUs === undefined ? "" : String(nowUs)]),
    );
  }

  async reset(keys: readonly string[]): Promise<number> {
    return Number(await runScript(this.#client, resetScript, keys, []));
  }

  async tighten(key: string, rule: Rule, remaining: number, id: string, nowUs?: number): Promise<number> {
    const args = [nowUs === undefined ? "" : String(nowUs), ...rule.wire.map(String), String(remaining), id];
    return Number(await runScript(this.#client, tightenScript, [key], args));
  }

  async report(arrival: ArrivalPart, report: StoreReport, nowUs?: number): Promise<StoreLearned> {
    const [, marginUs, paceUs, capUs] = arrival.wire;
    const args = [nowUs === undefined ? "" : String(nowUs), String(marginUs), String(paceUs), String(capUs)];
    args.push(report.kind, String(Math.floor(report.decidedUs)), String(Math.max(0, Math.round(report.latenessUs))));
    const reply = await runScript(this.#client, feedbackScript, [arrival.key], args);
    if (!Array.isArray(reply) || reply.length !== 3) {
      throw new TypeError(`Unexpected reply from the feedback script: ${JSON.stringify(reply)}`);
    }
    const [change, margin, share] = reply.map(Number) as [0 | 1 | 2, number, number];
    return { change, marginUs: margin, share };
  }

  async note(key: string, event: string, keep: number, ttlMs: number): Promise<void> {
    await runScript(this.#client, noteScript, [key], [event, String(keep), String(ttlMs)]);
  }

  /** Over the client's pub/sub; absent when the client has none (see `Store.onRelease`). */
  readonly onRelease: Store["onRelease"];
}
