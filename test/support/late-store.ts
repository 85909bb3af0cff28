import { MemoryStore, type Store, type StoreAcquire, type StoreCall } from "@sluice/core";

/** A memory store whose replies arrive `delays` ms late (in turn), each placed on the local clock. */
export function lateStore(delays: number[]): { store: Store; cancels: string[] } {
  const memory = new MemoryStore();
  const cancels: string[] = [];
  const store = new Proxy(memory, {
    get(target, property) {
      if (property === "acquire") {
        return async (quotas: StoreAcquire[], call: StoreCall) => {
          const decisions = await target.acquire(quotas, call);
          await new Promise((resolve) => setTimeout(resolve, delays.shift() ?? 0));
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
