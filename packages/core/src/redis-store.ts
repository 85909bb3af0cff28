import { acquireScript, cancelScript, pauseScript, releaseScript, resetScript } from "./generated/scripts.js";
import { runScript, type ScriptClient } from "./script-client.js";
import type { Store, StoreAcquire, StoreCancel, StoreDecision } from "./store.js";

const wireOf = (request: { rules: StoreAcquire["rules"] }): string[] =>
  request.rules.flatMap((r) => r.wire.map(String));

function decode(reply: unknown): StoreDecision {
  if (!Array.isArray(reply) || reply.length < 5 || reply.some((v) => typeof v !== "number")) {
    throw new TypeError(`Unexpected reply from the acquire script: ${JSON.stringify(reply)}`);
  }
  const numbers = reply as number[];
  const limits = [];
  for (let i = 5; i + 1 < numbers.length; i += 2) {
    limits.push({ remaining: numbers[i] as number, resetUs: numbers[i + 1] as number });
  }
  const [admitted, waitUs, nowUs, blocking, unqueueable] = numbers as [number, number, number, number, number];
  return { admitted: admitted === 1, waitUs, nowUs, blocking, queueable: unqueueable === 0, limits };
}

/** Quota state in Redis, decided by the embedded Lua scripts on Redis's clock. */
export class RedisStore implements Store {
  readonly #client: ScriptClient;

  constructor(client: ScriptClient) {
    this.#client = client;
  }

  async acquire(request: StoreAcquire): Promise<StoreDecision> {
    const args = [
      request.id,
      String(request.cost),
      String(request.maxWaitUs),
      request.nowUs === undefined ? "" : String(request.nowUs),
      request.record ? "1" : "0",
      ...wireOf(request),
    ];
    return decode(await runScript(this.#client, acquireScript, [request.keys.pause, ...request.keys.limits], args));
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
