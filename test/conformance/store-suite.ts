import { concurrency, fixedWindow, type Rule, slidingWindow, tokenBucket } from "@sluice/core";
import { quotaKeys, type Store, type StoreDecision, StoreLimiter } from "@sluice/core/adapter";
import { afterAll, describe, expect, it } from "vitest";
import { randomPrefix } from "../support/redis-clients.js";

/** A store under test; `close` frees its connections. */
export interface StoreUnderTest {
  readonly store: Store;
  close(): Promise<void>;
}

const SECOND = 1_000_000;
let ids = 0;

/**
 * The algorithm conformance suite: every store (the reference model, a single Redis, a Cluster)
 * must pass it. Times are injected through the scripts' documented test-only `now` argument,
 * starting at the real clock (under an injected clock the scripts keep every key a minute longer
 * than its state matters, so Redis's real-clock expiry never runs ahead of the steps).
 */
export function describeStoreConformance(name: string, open: () => StoreUnderTest): void {
  describe(`${name}: algorithm conformance`, () => {
    const { store, close } = open();
    afterAll(close);

    const quota = (rules: Rule[], quotaName = "q") => {
      const keys = quotaKeys(randomPrefix(), quotaName, rules);
      return {
        keys,
        acquire: async (
          now: number,
          options: {
            cost?: number;
            maxWaitUs?: number;
            record?: boolean;
            id?: string;
            headroomPerMille?: number;
            remember?: boolean;
          } = {},
        ) => {
          const request = {
            id: options.id ?? `r${++ids}`,
            cost: options.cost ?? 1,
            maxWaitUs: options.maxWaitUs ?? 0,
            headroomPerMille: options.headroomPerMille ?? 0,
          };
          const call = { record: options.record ?? true, nowUs: now, ...(options.remember ? { remember: true } : {}) };
          const [[decision]] = (await store.acquire([{ keys, rules, requests: [request] }], call)) as [[StoreDecision]];
          return decision;
        },
      };
    };
    const start = () => Math.floor(Date.now() / 1000) * SECOND;

    it("token bucket: a full burst at once, then one token per interval, waits exact", async () => {
      const q = quota([tokenBucket({ rate: 10, per: "1s", burst: 3 })]);
      const t0 = start();
      for (let i = 0; i < 3; i++) expect((await q.acquire(t0)).admitted).toBe(true);
      const denied = await q.acquire(t0);
      expect(denied).toMatchObject({ admitted: false, waitUs: 100_000, blocking: 1 });
      expect((await q.acquire(t0 + 99_999)).admitted).toBe(false);
      expect((await q.acquire(t0 + 100_000)).admitted).toBe(true);
    });

    it("token bucket: reports remaining and the time the bucket is full again", async () => {
      const q = quota([tokenBucket({ rate: 4, per: "1s", burst: 4 })]);
      const t0 = start();
      const d = await q.acquire(t0, { cost: 3 });
      expect(d.limits[0]).toEqual({ remaining: 1, resetUs: t0 + 750_000 });
    });

    it("exact sliding window: never more than limit in any window, next slot when the oldest leaves", async () => {
      const q = quota([slidingWindow({ limit: 3, window: "1s" })]);
      const t0 = start();
      expect((await q.acquire(t0)).admitted).toBe(true);
      expect((await q.acquire(t0 + 400_000, { cost: 2 })).admitted).toBe(true);
      const denied = await q.acquire(t0 + 500_000);
      expect(denied).toMatchObject({ admitted: false, waitUs: 500_000 });
      expect((await q.acquire(t0 + 999_999)).admitted).toBe(false);
      const later = await q.acquire(t0 + SECOND);
      expect(later.admitted).toBe(true);
      expect(later.limits[0]?.remaining).toBe(0);
      // the two units from t0+0.4s still fill the window until t0+1.4s
      expect(await q.acquire(t0 + 1_300_000)).toMatchObject({ admitted: false, waitUs: 100_000 });
    });

    it("bucketed sliding window: under-admits by at most a bucket, never over-admits", async () => {
      const q = quota([slidingWindow({ limit: 2000, window: "10s", precision: "bucketed", buckets: 10 })]);
      const t0 = start();
      const admitted: number[] = [];
      for (let step = 0; step < 300; step++) {
        const now = t0 + step * 100_000;
        const d = await q.acquire(now, { cost: 100 });
        if (d.admitted) admitted.push(now);
      }
      for (const t of admitted) {
        const inWindow = admitted.filter((u) => u > t - 10 * SECOND && u <= t).length * 100;
        expect(inWindow).toBeLessThanOrEqual(2000);
      }
      // 30 s of demand at 1000/s against 200/s: at least 90% of 6000 allowed units are used
      expect(admitted.length * 100).toBeGreaterThanOrEqual(0.9 * 6000);
    });

    it("fixed window: resets at the aligned boundary", async () => {
      const q = quota([fixedWindow({ limit: 2, window: "1s", align: "250ms" })]);
      const t0 = start(); // a whole second: boundaries fall at .250
      expect((await q.acquire(t0, { cost: 2 })).admitted).toBe(true);
      const denied = await q.acquire(t0 + 100_000);
      expect(denied).toMatchObject({ admitted: false, waitUs: 150_000 });
      expect(denied.limits[0]?.resetUs).toBe(t0 + 250_000);
      expect((await q.acquire(t0 + 250_000, { cost: 2 })).admitted).toBe(true);
    });

    it("concurrency: full means not queueable; a release or an expired lease frees the slot", async () => {
      const rules = [concurrency({ limit: 2, lease: "5s" })];
      const q = quota(rules);
      const t0 = start();
      await q.acquire(t0, { id: "a" });
      await q.acquire(t0 + 1000, { id: "b" });
      const full = await q.acquire(t0 + 2000, { maxWaitUs: -1 });
      expect(full).toMatchObject({ admitted: false, queueable: false, waitUs: 5 * SECOND - 2000 });
      expect(await store.release(q.keys.limits, "a")).toBe(1);
      expect(await store.release(q.keys.limits, "a")).toBe(0);
      expect((await q.acquire(t0 + 3000)).admitted).toBe(true);
      expect((await q.acquire(t0 + 4000)).admitted).toBe(false);
      // "b" was never released: its lease runs out at t0 + 5.001 s
      expect((await q.acquire(t0 + 5 * SECOND + 1001)).admitted).toBe(true);
    });

    it("composition: all-or-nothing; a denial spends nothing anywhere", async () => {
      const rules = [
        fixedWindow({ limit: 1000, window: "1h" }),
        slidingWindow({ limit: 2, window: "1s" }),
        concurrency({ limit: 5 }),
      ];
      const q = quota(rules);
      const t0 = start();
      await q.acquire(t0, { cost: 2 });
      const before = await q.acquire(t0 + 1, { cost: 0, record: false });
      const denied = await q.acquire(t0 + 2);
      expect(denied).toMatchObject({ admitted: false, blocking: 2 });
      const after = await q.acquire(t0 + 3, { cost: 0, record: false });
      expect(after.limits.map((l) => l.remaining)).toEqual(before.limits.map((l) => l.remaining));
      expect(after.limits.map((l) => l.remaining)).toEqual([998, 0, 4]);
    });

    it("reservations: maxWait reserves the earliest slot, FIFO, and cancel gives it back", async () => {
      const rules = [tokenBucket({ rate: 10, per: "1s", burst: 1 })];
      const q = quota(rules);
      const t0 = start();
      await q.acquire(t0);
      const first = await q.acquire(t0, { maxWaitUs: SECOND, id: "first" });
      const second = await q.acquire(t0, { maxWaitUs: SECOND, id: "second" });
      expect([first.waitUs, second.waitUs]).toEqual([100_000, 200_000]);
      expect((await q.acquire(t0, { maxWaitUs: 250_000 })).admitted).toBe(false);
      // the last reservation is given back: the next caller gets its slot
      await store.cancel({
        keys: q.keys,
        rules,
        id: "second",
        cost: 1,
        slotUs: t0 + 200_000,
        resetsUs: [second.limits[0]?.resetUs ?? 0],
      });
      expect((await q.acquire(t0, { maxWaitUs: SECOND })).waitUs).toBe(200_000);
    });

    it("reservations on a log: cancel frees the slot for the next caller", async () => {
      const rules = [slidingWindow({ limit: 1, window: "1s" })];
      const q = quota(rules);
      const t0 = start();
      await q.acquire(t0);
      const reserved = await q.acquire(t0, { maxWaitUs: 2 * SECOND, id: "r" });
      expect(reserved).toMatchObject({ admitted: true, waitUs: SECOND });
      await store.cancel({ keys: q.keys, rules, id: "r", cost: 1, slotUs: t0 + SECOND, resetsUs: [0] });
      expect((await q.acquire(t0, { maxWaitUs: 2 * SECOND })).waitUs).toBe(SECOND);
    });

    it("reservations on a log: a slot given back before them is used again when every window has room", async () => {
      const rules = [slidingWindow({ limit: 2, window: "1s" })];
      const q = quota(rules);
      const t0 = start();
      await q.acquire(t0);
      await q.acquire(t0, { id: "late" });
      expect(await q.acquire(t0, { maxWaitUs: 2 * SECOND })).toMatchObject({ admitted: true, waitUs: SECOND });
      // "late" was granted at t0 but not used in time: given back, its place in the window is free
      await store.cancel({ keys: q.keys, rules, id: "late", cost: 1, slotUs: t0, resetsUs: [0] });
      const t1 = t0 + 100_000;
      expect(await q.acquire(t1, { maxWaitUs: 2 * SECOND })).toMatchObject({ admitted: true, waitUs: 0 });
      // the window from t0 is full again: the next one queues behind it
      expect(await q.acquire(t1, { maxWaitUs: 2 * SECOND })).toMatchObject({ admitted: true, waitUs: SECOND });
    });

    it("reservations on a log: a request whose time a pacing limit has taken gets the first free time before them", async () => {
      // 4 per second, paced 10 ms apart: four go at t0, +10, +20 and +30 ms, the fifth a second after t0
      const rules = [slidingWindow({ limit: 4, window: "1s" }), slidingWindow({ limit: 1, window: "10ms" })];
      const q = quota(rules);
      const t0 = start();
      for (const id of ["a", "b", "c", "late"]) await q.acquire(t0, { id, maxWaitUs: SECOND });
      expect(await q.acquire(t0, { maxWaitUs: 2 * SECOND })).toMatchObject({ admitted: true, waitUs: SECOND });
      await store.cancel({ keys: q.keys, rules, id: "late", cost: 1, slotUs: t0 + 30_000, resetsUs: [0, 0] });
      // at +5 ms the pacing limit is taken until +30 ms, where the second has room again
      const t1 = t0 + 5_000;
      expect(await q.acquire(t1, { maxWaitUs: 2 * SECOND })).toMatchObject({ admitted: true, waitUs: 25_000 });
      // that was the only gap: the next one queues behind the reservation
      expect(await q.acquire(t1, { maxWaitUs: 2 * SECOND })).toMatchObject({ admitted: true, waitUs: SECOND + 5_000 });
    });

    it("two sparse logs whose gaps never meet still settle: the request queues after them", async () => {
      // a and b each allow one per tick; a is taken on odd ticks, b on even ticks, for 140 ticks
      // ahead (the logs live 14 s plus the injected clock's minute on Redis's real clock).
      const TICK = 100_000;
      const a = slidingWindow({ limit: 1, window: TICK / 1000, name: "a" });
      const b = slidingWindow({ limit: 1, window: TICK / 1000, name: "b" });
      const prefix = randomPrefix();
      const t0 = start();
      for (const [rule, keep] of [
        [a, 1],
        [b, 0],
      ] as const) {
        const rules = [rule];
        const keys = quotaKeys(prefix, "q", rules);
        const requests = Array.from({ length: 140 }, (_, k) => ({
          id: `${rule.id}-${k}`,
          cost: 1,
          maxWaitUs: 140 * TICK,
          headroomPerMille: 0,
        }));
        await store.acquire([{ keys, rules, requests }], { record: true, nowUs: t0 });
        for (let k = 0; k < 140; k++) {
          if (k % 2 === keep) continue;
          await store.cancel({ keys, rules, id: `${rule.id}-${k}`, cost: 1, slotUs: t0 + k * TICK, resetsUs: [0] });
        }
      }
      const rules = [a, b];
      const request = { id: "both", cost: 1, maxWaitUs: 2 * 140 * TICK, headroomPerMille: 0 };
      const [[decision]] = (await store.acquire([{ keys: quotaKeys(prefix, "q", rules), rules, requests: [request] }], {
        record: true,
        nowUs: t0,
      })) as [[StoreDecision]];
      expect(decision).toMatchObject({ admitted: true, waitUs: 140 * TICK });
    });

    it("reservations on a dense log (over 64 entries near): a slot given back is used again at the time asked", async () => {
      const rules = [slidingWindow({ limit: 100, window: "1s" })];
      const q = quota(rules);
      const t0 = start();
      await q.acquire(t0, { cost: 70 });
      await q.acquire(t0, { cost: 30, id: "late" });
      expect(await q.acquire(t0, { maxWaitUs: 2 * SECOND })).toMatchObject({ admitted: true, waitUs: SECOND });
      await store.cancel({ keys: q.keys, rules, id: "late", cost: 30, slotUs: t0, resetsUs: [0] });
      const t1 = t0 + 100_000;
      expect(await q.acquire(t1, { cost: 30, maxWaitUs: 2 * SECOND })).toMatchObject({ admitted: true, waitUs: 0 });
      // the window from t0 is full again: the next one waits for it to end
      expect(await q.acquire(t1, { maxWaitUs: 2 * SECOND })).toMatchObject({
        admitted: true,
        waitUs: SECOND - 100_000,
      });
    });

    it("pause: every acquire waits until it ends; a shorter pause never shortens it", async () => {
      const q = quota([tokenBucket({ rate: 100 })]);
      const t0 = start();
      expect(await store.pause(q.keys.pause, 2 * SECOND, t0)).toBe(t0 + 2 * SECOND);
      expect(await store.pause(q.keys.pause, SECOND, t0)).toBe(t0 + 2 * SECOND);
      expect(await q.acquire(t0 + SECOND)).toMatchObject({ admitted: false, blocking: -1, waitUs: SECOND });
      expect((await q.acquire(t0 + 2 * SECOND)).admitted).toBe(true);
    });

    it("a call decides its requests in order, exactly as separate calls at one instant", async () => {
      const rules = [
        tokenBucket({ rate: 10, burst: 2 }),
        slidingWindow({ limit: 3, window: "1s" }),
        concurrency({ limit: 4 }),
      ];
      const t0 = start();
      const requests = [1, 1, 2, 1, 1].map((cost, i) => ({
        id: `b${i}`,
        cost,
        maxWaitUs: i % 2 === 0 ? SECOND : 0,
        headroomPerMille: 0,
      }));
      const call = { record: true, nowUs: t0 };
      const [batched] = await store.acquire([{ keys: quotaKeys(randomPrefix(), "q", rules), rules, requests }], call);
      const keys = quotaKeys(randomPrefix(), "q", rules);
      const separate = [];
      for (const request of requests)
        separate.push(...((await store.acquire([{ keys, rules, requests: [request] }], call))[0] ?? []));
      expect(batched).toEqual(separate);
      expect(batched?.map((d) => d.admitted)).toEqual([true, true, true, false, false]);
    });

    it("quotas sharing a key in one call see each other's admissions, in order", async () => {
      const app = fixedWindow({ limit: 3, window: "1h" });
      const endpoint = slidingWindow({ limit: 10, window: "1m" });
      const prefix = randomPrefix();
      const both = { keys: quotaKeys(prefix, "api", [app, endpoint]), rules: [app, endpoint] };
      const appOnly = { keys: quotaKeys(prefix, "api", [app]), rules: [app] };
      const request = (id: string) => [{ id, cost: 1, maxWaitUs: 0, headroomPerMille: 0 }];
      const decisions = await store.acquire(
        [
          { ...both, requests: [...request("x1"), ...request("x2")] },
          { ...appOnly, requests: [...request("y1"), ...request("y2")] },
        ],
        { record: true, nowUs: start() },
      );
      expect(decisions.map((q) => q.map((d) => d.admitted))).toEqual([
        [true, true],
        [true, false],
      ]);
    });

    it("priority headroom: lower priorities leave a share of every limit free", async () => {
      const q = quota([tokenBucket({ rate: 10, burst: 10 }), slidingWindow({ limit: 10, window: "1s" })]);
      const t0 = start();
      // headroomPerMille 200 per mille leaves 2 of 10 units: the 9th normal acquire is refused...
      for (let i = 0; i < 8; i++) expect((await q.acquire(t0, { headroomPerMille: 200 })).admitted).toBe(true);
      expect((await q.acquire(t0, { headroomPerMille: 200 })).admitted).toBe(false);
      // ...while a higher priority (headroomPerMille 0) still gets the last two at once
      expect((await q.acquire(t0, { cost: 2 })).admitted).toBe(true);
      expect((await q.acquire(t0)).admitted).toBe(false);
    });

    it("windows below one second: 10 per 250 ms", async () => {
      const q = quota([slidingWindow({ limit: 10, window: "250ms" })]);
      const t0 = start();
      let admitted = 0;
      for (let ms = 0; ms < 1000; ms += 5) if ((await q.acquire(t0 + ms * 1000)).admitted) admitted++;
      expect(admitted).toBe(40);
    });

    it("a cost above a limit's capacity is refused outright", async () => {
      const q = quota([tokenBucket({ rate: 5, burst: 5 })]);
      await expect(q.acquire(start(), { cost: 6 })).rejects.toThrow(/cost 6 exceeds the capacity 5/);
    });

    it("a named call (remember) repeated gets its first decision and spends once; a denial is not kept", async () => {
      const q = quota([slidingWindow({ limit: 2, window: "1s" })]);
      const t0 = start();
      const first = await q.acquire(t0, { id: "named", remember: true });
      expect(first.admitted).toBe(true);
      expect(first.replayed).toBeUndefined();
      const again = await q.acquire(t0 + 1000, { id: "named", remember: true });
      expect(again).toMatchObject({ ...first, replayed: true });
      expect((await q.acquire(t0 + 2000, { cost: 0, record: false })).limits[0]?.remaining).toBe(1);
      // another id is decided: it takes the last unit, and the next one is refused
      expect((await q.acquire(t0 + 3000, { id: "other", remember: true })).admitted).toBe(true);
      expect(await q.acquire(t0 + 4000, { id: "refused", remember: true })).toMatchObject({ admitted: false });
      // once the window has room again, the refused id is decided afresh
      const later = await q.acquire(t0 + SECOND, { id: "refused", remember: true });
      expect(later.admitted).toBe(true);
      expect(later.replayed).toBeUndefined();
    });

    it("a named call given back is forgotten: a repeat is decided afresh", async () => {
      const rules = [slidingWindow({ limit: 1, window: "1s" })];
      const q = quota(rules);
      const t0 = start();
      expect((await q.acquire(t0, { id: "given-back", remember: true })).admitted).toBe(true);
      await store.cancel({ keys: q.keys, rules, id: "given-back", cost: 1, slotUs: t0, resetsUs: [0], named: true });
      expect((await q.acquire(t0 + 1000, { id: "taker" })).admitted).toBe(true);
      // from memory it would be admitted; decided afresh, the window is full
      const again = await q.acquire(t0 + 2000, { id: "given-back", remember: true });
      expect(again).toMatchObject({ admitted: false, waitUs: SECOND - 1000 });
      expect(again.replayed).toBeUndefined();
    });

    it("a named grant is remembered while its lease is held: once released, a repeat is decided afresh", async () => {
      const rules = [concurrency({ limit: 1, lease: "1m" })];
      const q = quota(rules);
      const t0 = start();
      expect((await q.acquire(t0, { id: "job", remember: true })).admitted).toBe(true);
      expect(await q.acquire(t0 + 1, { id: "job", remember: true })).toMatchObject({ admitted: true, replayed: true });
      expect(await store.release(q.keys.limits, "job")).toBe(1);
      expect((await q.acquire(t0 + 2, { id: "holder" })).admitted).toBe(true);
      // its grant no longer holds a slot: the semaphore is full for it now
      const again = await q.acquire(t0 + 3, { id: "job", remember: true });
      expect(again).toMatchObject({ admitted: false, queueable: false });
      expect(again.replayed).toBeUndefined();
    });

    it("a named grant on a log and a lease, released, then retried under its id: the log counts both decisions", async () => {
      const rules = [slidingWindow({ limit: 2, window: "10s" }), concurrency({ limit: 1, lease: "1m" })];
      const q = quota(rules);
      const t0 = start();
      expect((await q.acquire(t0, { id: "job", remember: true })).admitted).toBe(true);
      expect(await store.release(q.keys.limits.slice(1), "job")).toBe(1);
      // decided afresh under the same id (its lease is gone): a second entry in the log
      const again = await q.acquire(t0 + 1000, { id: "job", remember: true });
      expect(again).toMatchObject({ admitted: true });
      expect(again.replayed).toBeUndefined();
      expect(await store.release(q.keys.limits.slice(1), "job")).toBe(1);
      // two requests were sent under "job": the log of 2 is full
      expect(await q.acquire(t0 + 2000, { id: "third" })).toMatchObject({ admitted: false, blocking: 1 });
      // the retry's slot given back frees its own entry, not the first one
      await store.cancel({ keys: q.keys, rules, id: "job", cost: 1, slotUs: t0 + 1000, resetsUs: [0, 0], named: true });
      expect((await q.acquire(t0 + 3000, { id: "fourth" })).admitted).toBe(true);
      expect((await q.acquire(t0 + 4000, { id: "fifth" })).admitted).toBe(false);
    });

    it("quota API: a named request retried gets its first decision; another id spends again; bad ids are refused", async () => {
      const limiter = new StoreLimiter(store, { prefix: randomPrefix() });
      const q = limiter.quota("named", { limits: [fixedWindow({ limit: 3, window: "1h" })] });
      const first = await q.acquire({ id: "msg-1" });
      expect(first.lease).toBe("msg-1");
      const retried = await q.acquire({ id: "msg-1" });
      expect(retried).toMatchObject({ allowed: true, lease: "msg-1", redisTime: first.redisTime });
      expect(retried.admittedAt).toBe(first.admittedAt);
      expect((await q.tryAcquire({ id: "msg-1" })).allowed).toBe(true);
      expect((await q.state()).limits[0]?.remaining).toBe(2);
      expect((await q.tryAcquire({ id: "msg-2" })).allowed).toBe(true);
      expect((await q.state()).limits[0]?.remaining).toBe(1);
      for (const bad of ["", "with space", "a~b", "a:2", "x".repeat(201), "é", 7]) {
        await expect(q.tryAcquire({ id: bad as string })).rejects.toThrow(
          /^Expected `id` to be 1 to 200 printable ASCII characters without spaces, `:` or `~`, got /,
        );
      }
      expect((await q.state()).limits[0]?.remaining).toBe(1);
    });

    it("quota API: a named acquire given back, then retried under its id, is decided afresh", async () => {
      const limiter = new StoreLimiter(store, { prefix: randomPrefix() });
      const q = limiter.quota("given-back", { limits: [tokenBucket({ rate: 1, per: "1h", burst: 1 })] });
      expect((await q.tryAcquire()).allowed).toBe(true);
      // The only token is spent: the acquire reserves a slot an hour ahead, then is aborted.
      const controller = new AbortController();
      const waiting = q.acquire({ id: "job-1", signal: controller.signal, onFirstReply: () => controller.abort() });
      await expect(waiting).rejects.toThrow();
      // From memory the retry would be allowed (the reserved slot); decided afresh, it is not.
      expect((await q.tryAcquire({ id: "job-1" })).allowed).toBe(false);
    });

    it("quota API: waiting exactly retryAfterMs is enough (waits round up)", async () => {
      const limiter = new StoreLimiter(store, { prefix: randomPrefix() });
      const q = limiter.quota("round-up", { limits: [tokenBucket({ rate: 3, per: "1s", burst: 1 })] });
      expect((await q.tryAcquire()).allowed).toBe(true);
      for (let i = 0; i < 3; i++) {
        const denied = await q.tryAcquire();
        expect(denied.allowed).toBe(false);
        await new Promise((resolve) => setTimeout(resolve, denied.retryAfterMs));
        expect((await q.tryAcquire()).allowed).toBe(true);
      }
    });
  });
}
