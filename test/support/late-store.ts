import { MemoryStore, type Store, type StoreAcquire, type StoreCall } from "@sluice/core/adapter";

/**
 * A memory store whose replies arrive `delays` ms late (in turn), each placed on the local clock.
 * `meanwhile` runs on the same memory store while a reply is held (another process acting).
 */
export function lateStore(
  delays: number[],
  meanwhile?: (memory: MemoryStore, quotas: StoreAcquire[]) => Promise<void>,
): { store: Store; cancels: string[] } {
  const memory = new MemoryStore();
  const cancels: string[] = [];
  const store = new Proxy(memory, {
    get(target, property) {
      if (property === "acquire") {
        return async (quotas: StoreAcquire[], call: StoreCall) => {
          const decisions = await target.acquire(quotas, call);
          const delay = delays.shift() ?? 0;
          if (delay > 0) await meanwhile?.(target, quotas);
          await new Promise((resolve) => setTimeout(resolve, delay));
          return decisions.map((quota) => quota.map((d) => ({ ...d, localNowUs: d.nowUs })));
        };
      }
      if (property === "cancel") {
        return (request: Parameters<Store["cancel"]>[0]) => {
          cancels.push(request.id);
          return target.cancel(request);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store, cancels };
}
