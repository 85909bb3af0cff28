import {
  acquireConcurrencyScript,
  acquireFixedWindowScript,
  acquireScript,
  acquireSlidingWindowScript,
  acquireTokenBucketScript,
  cancelScript,
  pauseScript,
  releaseScript,
  resetScript,
} from "./generated/scripts.js";
import type { LuaScript } from "./lua-script.js";
import type { Rule } from "./rules/rule.js";
import { runScript, type ScriptClient } from "./script-client.js";
import type { Store, StoreAcquire, StoreCancel, StoreDecision } from "./store.js";

const wireOf = (request: { rules: StoreAcquire["rules"] }): string[] =>
  request.rules.flatMap((r) => r.wire.map(String));

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

function decode(reply: unknown, requests: number, limits: number): StoreDecision[] {
  const size = 5 + 2 * limits;
  if (!Array.isArray(reply) || reply.length !== requests * size || reply.some((v) => typeof v !== "number")) {
    throw new TypeError(`Unexpected reply from the acquire script: ${JSON.stringify(reply)}`);
  }
  const numbers = reply as number[];
  return Array.from({ length: requests }, (_, r) => {
    const at = r * size;
    const [admitted, waitUs, nowUs, blocking, unqueueable] = numbers.slice(at, at + 5) as [
      number,
      number,
      number,
      number,
      number,
    ];
    return {
      admitted: admitted === 1,
      waitUs,
      nowUs,
      blocking,
      queueable: unqueueable === 0,
      limits: Array.from({ length: limits }, (_, i) => ({
        remaining: numbers[at + 5 + 2 * i] as number,
        resetUs: numbers[at + 6 + 2 * i] as number,
      })),
    };
  });
}

/** Quota state in Redis, decided by the embedded Lua scripts on Redis's clock. */
export class RedisStore implements Store {
  readonly #client: ScriptClient;

  constructor(client: ScriptClient) {
    this.#client = client;
  }

  async acquire(batch: StoreAcquire): Promise<StoreDecision[]> {
    const args = [
      batch.nowUs === undefined ? "" : String(batch.nowUs),
      batch.record ? "1" : "0",
      String(batch.requests.length),
    ];
    for (const request of batch.requests) args.push(request.id, String(request.cost), String(request.maxWaitUs));
    args.push(...wireOf(batch));
    const keys = [batch.keys.pause, ...batch.keys.limits];
    const reply = await runScript(this.#client, acquireScriptFor(batch.rules), keys, args);
    return decode(reply, batch.requests.length, batch.rules.length);
  }

  async cancel(request: StoreCancel): Promise<void> {
    const args = [request.id, String(request.cost), String(request.slotUs)];
    request.rules.forEach((rule, i) => {
      args.push(...rule.wire.map(String), String(request.resetsUs[i] ?? 0));
    });
    await runScript(this.#client, cancelScript, request.keys.limits, args);
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

  onRelease(key: string, listener: () => void): Promise<() => void> {
    return this.#client.subscribe(key, listener);
  }
}
