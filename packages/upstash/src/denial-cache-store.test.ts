import { concurrency, tokenBucket } from "@sluice/core";
import {
  MemoryStore,
  quotaKeys,
  type StoreAcquire,
  type StoreCall,
  type StoreDecision,
  type StoreRequest,
} from "@sluice/core/adapter";
import { describe, expect, it } from "vitest";
import { DenialCacheStore } from "./denial-cache-store.js";

/** A store whose acquire answers what the test says, and records what reached it. */
class ScriptedStore extends MemoryStore {
  readonly asked: StoreRequest[][] = [];
  answer: (request: StoreRequest) => StoreDecision = () => admitted;

  override async acquire(quotas: readonly StoreAcquire[], _call: StoreCall): Promise<StoreDecision[][]> {
    this.asked.push(quotas.flatMap((quota) => quota.requests));
    return quotas.map((quota) => quota.requests.map((request) => this.answer(request)));
  }
}

const limits = [{ remaining: 0, resetUs: 5_000_000 }];
const admitted: StoreDecision = { admitted: true, waitUs: 0, nowUs: 1_000_000, blocking: 0, queueable: true, limits };
const denied = (waitUs: number, queueable = true): StoreDecision => ({
  admitted: false,
  waitUs,
  nowUs: 1_000_000,
  localNowUs: 7_000_000,
  blocking: 1,
  queueable,
  limits,
});

const rules = [tokenBucket({ rate: 1, per: "1s", burst: 1 })];
const keys = quotaKeys("t", "q", rules);
let ids = 0;
const request = (terms: Partial<StoreRequest> = {}): StoreRequest => ({
  id: `r${++ids}`,
  cost: 1,
  maxWaitUs: 0,
  headroomPerMille: 0,
  ...terms,
});
const call = { record: true };

function setup(maxMs = 10_000) {
  const inner = new ScriptedStore();
  const clock = { ms: 0 };
  const store = new DenialCacheStore(inner, maxMs, () => clock.ms);
  const ask = async (terms: Partial<StoreRequest> = {}, quota: Omit<StoreAcquire, "requests"> = { keys, rules }) =>
    (await store.acquire([{ ...quota, requests: [request(terms)] }], call))[0]?.[0] as StoreDecision;
  return { inner, clock, store, ask };
}

describe("DenialCacheStore", () => {
  it("answers a request like a denied one from memory until the slot, with the wait that is left", async () => {
    const { inner, clock, ask } = setup();
    inner.answer = () => denied(800_000);
    expect(await ask()).toMatchObject({ admitted: false, waitUs: 800_000 });
    clock.ms = 300;
    expect(await ask()).toEqual({ ...denied(500_000), nowUs: 1_300_000, localNowUs: 7_300_000 });
    expect(inner.asked).toHaveLength(1);
    // waiting the retryAfterMs it was told is enough: at the slot the store is asked again
    inner.answer = () => admitted;
    clock.ms = 800;
    expect((await ask()).admitted).toBe(true);
    expect(inner.asked).toHaveLength(2);
  });

  it("asks the store for a request that accepts to wait until the slot, or has no bound", async () => {
    const { inner, clock, ask } = setup();
    inner.answer = () => denied(800_000);
    await ask();
    clock.ms = 100;
    await ask({ maxWaitUs: 699_999 });
    expect(inner.asked).toHaveLength(1);
    await ask({ maxWaitUs: 700_000 });
    await ask({ maxWaitUs: -1 });
    expect(inner.asked).toHaveLength(3);
  });

  it("keeps each denial apart by cost and priority", async () => {
    const { inner, ask } = setup();
    inner.answer = () => denied(800_000);
    await ask();
    await ask({ cost: 2 });
    await ask({ headroomPerMille: 100 });
    expect(inner.asked).toHaveLength(3);
  });

  it("asks again once a denial is maxMs old, even before its slot", async () => {
    const { inner, clock, ask } = setup(1000);
    inner.answer = () => denied(60_000_000);
    await ask();
    clock.ms = 999;
    await ask();
    expect(inner.asked).toHaveLength(1);
    clock.ms = 1000;
    await ask();
    expect(inner.asked).toHaveLength(2);
  });

  it("never answers a full concurrency limit from memory: a release may free it at any time", async () => {
    const { inner, ask } = setup();
    inner.answer = () => denied(5_000_000, false);
    const semaphore = { keys: quotaKeys("t", "c", [concurrency({ limit: 1 })]), rules: [concurrency({ limit: 1 })] };
    await ask({}, semaphore);
    await ask({}, semaphore);
    expect(inner.asked).toHaveLength(2);
  });

  it("sends only what memory cannot answer, and returns every decision in order", async () => {
    const { inner, store, ask } = setup();
    inner.answer = () => denied(800_000);
    await ask();
    inner.answer = () => admitted;
    const otherRules = [tokenBucket({ rate: 5 })];
    const other = { keys: quotaKeys("t", "other", otherRules), rules: otherRules };
    const [mine, theirs] = await store.acquire(
      [
        { keys, rules, requests: [request(), request({ maxWaitUs: -1 }), request()] },
        { ...other, requests: [request()] },
      ],
      call,
    );
    expect(mine?.map((d) => d.admitted)).toEqual([false, true, false]);
    expect(theirs?.map((d) => d.admitted)).toEqual([true]);
    expect(inner.asked[1]?.map((r) => r.maxWaitUs)).toEqual([-1, 0]);
  });

  it("forgets a quota's denials when it is reset or given a slot back through it", async () => {
    const { inner, store, ask } = setup();
    inner.answer = () => denied(800_000);
    await ask();
    await store.reset([keys.pause, ...keys.limits]);
    await ask();
    expect(inner.asked).toHaveLength(2);
    await store.cancel({ keys, rules, id: "x", cost: 1, slotUs: 0, resetsUs: [0] });
    await ask();
    expect(inner.asked).toHaveLength(3);
  });

  it("passes reads and a test's own clock straight to the store", async () => {
    const { inner, store, ask } = setup();
    inner.answer = () => denied(800_000);
    await ask();
    await store.acquire([{ keys, rules, requests: [request()] }], { record: false });
    await store.acquire([{ keys, rules, requests: [request()] }], { record: true, nowUs: 1 });
    expect(inner.asked).toHaveLength(3);
  });
});
