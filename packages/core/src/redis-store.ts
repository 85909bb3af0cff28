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

/** The smallest script that knows every rule's algorithm: less Lua for Redis to run per call. */
function acquireScriptFor(rules: readonly Rule[]): LuaScript {
  const kind = rules[0]?.kind;
  return kind !== undefined && rules.every((rule) => rule.kind === kind) ? oneKindScripts[kind] : acquireScript;
}

const signatures = new WeakMap<readonly Rule[], string>();

/** Rule lists with the same signature are one rule set in a call (sent once). */
function signatureOf(rules: readonly Rule[]): string {
  let signature = signatures.get(rules);
  if (signature === undefined) {
    signature = rules.map((rule) => rule.wire.join(":")).join("|");
    signatures.set(rules, signature);
  }
  return signature;
}

function decode(reply: unknown, quotas: readonly StoreAcquire[]): StoreDecision[][] {
  const expected = quotas.reduce((sum, q) => sum + q.requests.length * (5 + 2 * q.rules.length), 0);
  if (!Array.isArray(reply) || reply.length !== expected || reply.some((v) => typeof v !== "number")) {
    throw new TypeError(`Unexpected reply from the acquire script: ${JSON.stringify(reply)}`);
  }
  const numbers = reply as number[];
  let at = 0;
  return quotas.map((quota) =>
    quota.requests.map(() => {
      const [admitted, waitUs, nowUs, blocking, unqueueable] = numbers.slice(at, at + 5) as [
        number,
        number,
        number,
        number,
        number,
      ];
      const limits = quota.rules.map((_, i) => ({
        remaining: numbers[at + 5 + 2 * i] as number,
        resetUs: numbers[at + 6 + 2 * i] as number,
      }));
      at += 5 + 2 * quota.rules.length;
      return { admitted: admitted === 1, waitUs, nowUs, blocking, queueable: unqueueable === 0, limits };
    }),
  );
}

export interface RedisStoreOptions {
  /**
   * How long Redis remembers each acquire call's reply, in ms, so that a call the client
   * resends after a reconnect (its first reply lost) is answered, not charged twice. Cover the
   * caller's timeout: a resend after the caller gave up can only waste quota, never over-spend it.
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

const localMicros = (): number => (performance.timeOrigin + performance.now()) * 1000;

/** Quota state in Redis, decided by the embedded Lua scripts on Redis's clock. */
export class RedisStore implements Store {
  readonly #client: ScriptClient;
  readonly #rememberMs: number;
  readonly #timeoutMs: number | undefined;
  /** Redis time minus local time at the last reply; short of the truth by the reply's transit. */
  #offsetUs: number | undefined;

  constructor(client: ScriptClient, options: RedisStoreOptions = {}) {
    this.#client = client;
    this.#rememberMs = options.rememberMs ?? 2000;
    this.#timeoutMs = options.timeoutMs;
  }

  #deadline(record: boolean): string {
    if (!record || this.#timeoutMs === undefined || this.#offsetUs === undefined) return "";
    return String(Math.floor(localMicros() + this.#offsetUs + this.#timeoutMs * 1000));
  }

  async acquire(quotas: readonly StoreAcquire[], call: StoreCall): Promise<StoreDecision[][]> {
    const first = quotas[0] as StoreAcquire;
    // Named after the call's first request id, in the slot of its quotas.
    const keys: string[] = [`${first.keys.base}call:${first.requests[0]?.id}`];
    const setArgs: string[] = [];
    const quotaArgs: string[] = [String(quotas.length)];
    const sets = new Map<string, number>();
    for (const quota of quotas) {
      const signature = signatureOf(quota.rules);
      let set = sets.get(signature);
      if (set === undefined) {
        set = sets.size + 1;
        sets.set(signature, set);
        setArgs.push(String(quota.rules.length));
        for (const rule of quota.rules) setArgs.push(...rule.wire.map(String));
      }
      keys.push(quota.keys.pause, ...quota.keys.limits);
      quotaArgs.push(String(set), String(quota.requests.length));
      for (const request of quota.requests) {
        quotaArgs.push(request.id, String(request.cost), String(request.maxWaitUs), String(request.reserve));
      }
    }
    const args = [
      call.nowUs === undefined ? "" : String(call.nowUs),
      call.record ? "1" : "0",
      String(call.record ? this.#rememberMs : 0),
      this.#deadline(call.record),
      String(sets.size),
    ];
    const script = acquireScriptFor(quotas.flatMap((q) => q.rules));
    const decisions = decode(await runScript(this.#client, script, keys, [...args, ...setArgs, ...quotaArgs]), quotas);
    const redisNow = decisions[0]?.[0]?.nowUs;
    if (redisNow !== undefined && call.nowUs === undefined) this.#offsetUs = redisNow - localMicros();
    return decisions;
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
