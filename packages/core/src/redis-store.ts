import { ClockOffset } from "./clock-offset.js";
import {
  acquireConcurrencyScript,
  acquireFixedWindowScript,
  acquireScript,
  acquireSlidingWindowScript,
  acquireTokenBucketScript,
  cancelScript,
  noteScript,
  pauseScript,
  releaseScript,
  resetScript,
  tightenScript,
} from "./generated/scripts.js";
import { localMicros } from "./local-clock.js";
import type { LuaScript } from "./lua-script.js";
import type { Rule } from "./rules/rule.js";
import { runScript, type ScriptClient } from "./script-client.js";
import type { Store, StoreAcquire, StoreCall, StoreCancel, StoreDecision } from "./store.js";

const oneKindScripts: Record<Rule["kind"], LuaScript> = {
  tokenBucket: acquireTokenBucketScript,
  slidingWindow: acquireSlidingWindowScript,
  fixedWindow: acquireFixedWindowScript,
  concurrency: acquireConcurrencyScript,
};

const wires = new WeakMap<Rule, string>();

/** A rule's wire form as one string, made once per rule object. */
function wireOf(rule: Rule): string {
  let wire = wires.get(rule);
  if (wire === undefined) {
    wire = rule.wire.join(":");
    wires.set(rule, wire);
  }
  return wire;
}

/** Wire kinds whose state keeps request ids (log entries, leases): only their requests send one. */
const kindsWithIds = new Set(["sw", "cc"]);

/** Rule lists with the same signature are one rule set in a call (sent once). */
function signatureOf(rules: readonly Rule[]): string {
  return rules.length === 1 ? wireOf(rules[0] as Rule) : rules.map(wireOf).join("|");
}

/** Reads the acquire script's reply: Redis time, then per request a code, the wait and each limit's figures. */
function decode(reply: unknown, quotas: readonly StoreAcquire[], localNowUs: number | undefined): StoreDecision[][] {
  const expected = quotas.reduce((sum, q) => sum + q.requests.length * (2 + 2 * q.rules.length), 1);
  if (!Array.isArray(reply) || reply.length !== expected || reply.some((v) => typeof v !== "number")) {
    throw new TypeError(`Unexpected reply from the acquire script: ${JSON.stringify(reply)}`);
  }
  const numbers = reply as number[];
  const nowUs = numbers[0] as number;
  let at = 1;
  return quotas.map((quota) =>
    quota.requests.map(() => {
      const code = numbers[at] as number;
      const waitUs = numbers[at + 1] as number;
      const limits = new Array<{ remaining: number; resetUs: number }>(quota.rules.length);
      for (let i = 0; i < limits.length; i++) {
        limits[i] = {
          remaining: numbers[at + 2 + 2 * i] as number,
          resetUs: nowUs + (numbers[at + 3 + 2 * i] as number),
        };
      }
      at += 2 + 2 * quota.rules.length;
      // code = 4 * (blocking + 1) + 2 * unqueueable + admitted
      return {
        admitted: code % 2 === 1,
        waitUs,
        nowUs,
        blocking: Math.floor(code / 4) - 1,
        queueable: (code & 2) === 0,
        limits,
        localNowUs,
      };
    }),
  );
}

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
  readonly #timeoutMs: number | undefined;
  /** Redis time minus local time, from the replies. */
  readonly #offset = new ClockOffset();

  constructor(client: ScriptClient, options: RedisStoreOptions = {}) {
    this.#client = client;
    this.#rememberMs = options.rememberMs ?? 2000;
    this.#rememberReplies = options.rememberReplies ?? false;
    this.#timeoutMs = options.timeoutMs;
  }

  #deadline(record: boolean): string {
    const offsetUs = this.#offset.offsetUs;
    if (!record || this.#timeoutMs === undefined || offsetUs === undefined) return "";
    return String(Math.floor(localMicros() + offsetUs + this.#timeoutMs * 1000));
  }

  async acquire(quotas: readonly StoreAcquire[], call: StoreCall): Promise<StoreDecision[][]> {
    const first = quotas[0] as StoreAcquire;
    // Named after the call's first request id, in the slot of its quotas.
    const keys: string[] = [`${first.keys.base}call:${first.requests[0]?.id}`];
    const setArgs: string[] = [];
    const quotaArgs: string[] = [String(quotas.length)];
    const sets = new Map<string, { readonly index: string; readonly usesIds: boolean }>();
    let kinds: Rule["kind"] | "mixed" | undefined;
    for (const quota of quotas) {
      const signature = signatureOf(quota.rules);
      let set = sets.get(signature);
      if (set === undefined) {
        set = { index: String(sets.size + 1), usesIds: quota.rules.some((rule) => kindsWithIds.has(rule.wire[0])) };
        sets.set(signature, set);
        setArgs.push(String(quota.rules.length));
        for (const rule of quota.rules) {
          setArgs.push(rule.wire[0], String(rule.wire[1]), String(rule.wire[2]), String(rule.wire[3]));
          kinds = kinds === undefined || kinds === rule.kind ? rule.kind : "mixed";
        }
      }
      keys.push(quota.keys.pause);
      for (const key of quota.keys.limits) keys.push(key);
      quotaArgs.push(set.index, String(quota.requests.length));
      for (const request of quota.requests) {
        if (set.usesIds) quotaArgs.push(request.id);
        quotaArgs.push(String(request.cost), String(request.maxWaitUs), String(request.reserve));
      }
    }
    const args = [
      call.nowUs === undefined ? "" : String(call.nowUs),
      call.record ? "1" : "0",
      String(call.record && this.#rememberReplies ? this.#rememberMs : 0),
      this.#deadline(call.record),
      String(sets.size),
      ...setArgs,
      ...quotaArgs,
    ];
    // The smallest script that knows every rule's algorithm: less Lua for Redis to run per call.
    const script = kinds === undefined || kinds === "mixed" ? acquireScript : oneKindScripts[kinds];
    const sentUs = localMicros();
    const reply = await runScript(this.#client, script, keys, args);
    if (call.nowUs !== undefined) return decode(reply, quotas, undefined);
    // On Redis's clock: place its time of decision on this process's clock too.
    const receivedUs = localMicros();
    const redisNowUs = Array.isArray(reply) && typeof reply[0] === "number" ? reply[0] : undefined;
    if (redisNowUs === undefined) return decode(reply, quotas, undefined);
    this.#offset.observe(redisNowUs, receivedUs);
    return decode(reply, quotas, this.#offset.localTimeOf(redisNowUs, sentUs, receivedUs));
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

  async note(key: string, event: string, keep: number, ttlMs: number): Promise<void> {
    await runScript(this.#client, noteScript, [key], [event, String(keep), String(ttlMs)]);
  }

  onRelease(key: string, listener: () => void): Promise<() => void> {
    return this.#client.subscribe(key, listener);
  }
}
