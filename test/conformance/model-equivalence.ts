import { concurrency, fixedWindow, type Rule, slidingWindow, tokenBucket } from "@sluice/core";
import { type ArrivalPart, MemoryStore, quotaKeys, type StoreReport } from "@sluice/core/adapter";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { randomPrefix } from "../support/redis-clients.js";
import type { StoreUnderTest } from "./store-suite.js";

const RULES: Rule[] = [
  tokenBucket({ rate: 10, per: "1s", burst: 3 }),
  slidingWindow({ limit: 5, window: "1s" }),
  slidingWindow({ limit: 20, window: "2s", precision: "bucketed", buckets: 4 }),
  fixedWindow({ limit: 4, window: "500ms", align: "100ms" }),
  concurrency({ limit: 2, lease: "700ms" }),
  tokenBucket({ rate: 4, per: "1s", burst: 5 }),
  // a pacing window: with the one above, reservations leave gaps that a later request can take
  slidingWindow({ limit: 3, window: "200ms" }),
];
/** Masks of RULES that keep only token buckets: such calls run the token-bucket script. */
const TOKEN_BUCKETS = RULES.reduce((mask, rule, i) => (rule.kind === "tokenBucket" ? mask | (1 << i) : mask), 0);

// Pauses last at least 0.5 s, as a server's Retry-After would.
const command = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant("acquire" as const),
      dtUs: fc.integer({ min: 0, max: 300_000 }),
      // a call of token buckets only goes to its own script, which must decide the same
      onlyTokenBuckets: fc.boolean(),
      // one request of the first quota on one limit, RULES[rule]: a Redis store decides it with
      // a one-request script, every other call with a batch script, and both must decide the same
      single: fc.boolean(),
      rule: fc.integer({ min: 0, max: RULES.length - 1 }),
      // several quotas (rule subsets of one name, so one slot) with several requests each, in
      // one call, as coalescing sends them
      quotas: fc.array(
        fc.record({
          mask: fc.integer({ min: 1, max: (1 << RULES.length) - 1 }),
          requests: fc.array(
            fc.record({
              cost: fc.integer({ min: 1, max: 3 }),
              maxWaitUs: fc.constantFrom(0, 100_000, 1_000_000, -1),
              // priority headroom, per mille: every cost still fits every rule of RULES
              headroomPerMille: fc.constantFrom(0, 0, 200, 300),
            }),
            { minLength: 1, maxLength: 3 },
          ),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("pause" as const),
      dtUs: fc.constant(0),
      durationUs: fc.integer({ min: 500_000, max: 1_500_000 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("cancel" as const), dtUs: fc.constant(0) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("report" as const),
      dtUs: fc.integer({ min: 0, max: 100_000 }),
      kind: fc.constantFrom<StoreReport["kind"]>("late", "limited", "limited", "foreign"),
      latenessUs: fc.integer({ min: 0, max: 80_000 }),
      // whether the report is about the latest grant, or about one decided before the last change
      stale: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("release" as const), dtUs: fc.constant(0) }) },
);

/**
 * Property: on any random schedule of acquires (random limits, costs, waits), pauses, cancels
 * and releases, the store decides exactly what the reference model decides, and the model's
 * admissions never put more than `limit` into any sliding window.
 */
/**
 * The quota's arrival part for one schedule: none, a learning one (a margin that grows, a share
 * that falls, pacing) or a fixed margin without pacing. Its margin and share widen every other
 * limit of each call; reports change them.
 */
const arrivalOf = (kind: "none" | "learning" | "fixed", base: string): ArrivalPart | undefined =>
  kind === "none"
    ? undefined
    : { key: `${base}arrival`, wire: kind === "learning" ? ["ar", 25_000, 1_000, 50_000] : ["ar", 30_000, 0, 0] };

/**
 * The model keeps what it stores for the whole property (TTLs decide nothing), as Redis does:
 * its TTLs run on its real clock, which moves a few ms while the steps inject seconds. A margin
 * learned after a log entry was written counts that entry past the TTL it was written with
 * (window plus the margin then); the model, on the injected clock, would drop it there.
 */
export const NO_EXPIRY_US = 3_600_000_000;

export function describeModelEquivalence(name: string, open: () => StoreUnderTest, numRuns: number): void {
  describe(`${name}: matches the reference model on random schedules`, () => {
    const { store, close } = open();
    afterAll(close);

    it("decides every step exactly as the model", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(command, { minLength: 5, maxLength: 40 }),
          fc.constantFrom("none" as const, "learning" as const, "fixed" as const),
          async (commands, arrivalKind) => {
            const model = new MemoryStore(undefined, { ttlSlackUs: NO_EXPIRY_US });
            const prefix = randomPrefix();
            const arrival = arrivalOf(arrivalKind, quotaKeys(prefix, "q", []).base);
            let now = Date.now() * 1000;
            let decidedUs = now;
            let step = 0;
            const granted: Array<{ id: string; rules: Rule[]; cost: number; slotUs: number; resetsUs: number[] }> = [];
            const admitted = new Set<(typeof granted)[number]>();
            for (const c of commands) {
              now += c.dtUs;
              if (c.op === "acquire") {
                const quotas = (c.single ? c.quotas.slice(0, 1) : c.quotas).map((q) => {
                  const mask = c.single ? 1 << c.rule : c.onlyTokenBuckets ? q.mask & TOKEN_BUCKETS || 1 : q.mask;
                  const rules = RULES.filter((_, i) => mask & (1 << i));
                  const requests = (c.single ? q.requests.slice(0, 1) : q.requests).map((r) => ({
                    ...r,
                    id: `s${++step}`,
                  }));
                  // A quota of concurrency limits only has no arrival part.
                  const part = rules.some((rule) => rule.kind !== "concurrency") ? arrival : undefined;
                  return { keys: quotaKeys(prefix, "q", rules), rules, arrival: part, requests };
                });
                const call = { record: true, nowUs: now };
                const expected = await model.acquire(quotas, call);
                expect(await store.acquire(quotas, call)).toEqual(expected);
                decidedUs = now;
                quotas.forEach(({ rules, requests }, q) => {
                  requests.forEach((request, r) => {
                    const decision = expected[q]?.[r];
                    if (!decision?.admitted) return;
                    const slotUs = now + decision.waitUs;
                    const resetsUs = decision.limits.map((l) => l.resetUs);
                    const grant = { id: request.id, rules, cost: request.cost, slotUs, resetsUs };
                    granted.push(grant);
                    admitted.add(grant);
                  });
                });
              } else if (c.op === "report") {
                if (arrival === undefined) continue;
                const report = {
                  kind: c.kind,
                  latenessUs: c.latenessUs,
                  decidedUs: c.stale ? decidedUs - 1 : decidedUs,
                };
                expect(await store.report(arrival, report, now)).toEqual(await model.report(arrival, report, now));
              } else if (c.op === "pause") {
                const key = quotaKeys(prefix, "q", []).pause;
                expect(await store.pause(key, c.durationUs, now)).toBe(await model.pause(key, c.durationUs, now));
              } else {
                const last = granted.pop();
                if (last === undefined) continue;
                const keys = quotaKeys(prefix, "q", last.rules);
                if (c.op === "cancel") {
                  const request = {
                    keys,
                    rules: last.rules,
                    id: last.id,
                    cost: last.cost,
                    slotUs: last.slotUs,
                    resetsUs: last.resetsUs,
                  };
                  await Promise.all([model.cancel(request), store.cancel(request)]);
                  admitted.delete(last);
                } else {
                  const leaseKeys = keys.limits.filter((_, i) => last.rules[i]?.kind === "concurrency");
                  expect(await store.release(leaseKeys, last.id)).toBe(await model.release(leaseKeys, last.id));
                }
              }
            }
            for (const rule of RULES) {
              if (rule.kind !== "slidingWindow") continue;
              const units = [...admitted].filter((g) => g.rules.includes(rule));
              const windowUs = rule.windowMs * 1000;
              for (const { slotUs } of units) {
                const inWindow = units.filter((g) => g.slotUs > slotUs - windowUs && g.slotUs <= slotUs);
                expect(inWindow.reduce((sum, g) => sum + g.cost, 0)).toBeLessThanOrEqual(rule.limit);
              }
            }
          },
        ),
        { numRuns },
      );
    });
  });
}
