import { describe, expect, it } from "vitest";
import { encodeOne, isOneRequest } from "./acquire-one-wire.js";
import type { ArrivalPart } from "./arrival.js";
import { quotaKeys } from "./keys.js";
import { concurrency } from "./rules/concurrency.js";
import { slidingWindow } from "./rules/sliding-window.js";
import { tokenBucket } from "./rules/token-bucket.js";
import type { StoreAcquire, StoreRequest } from "./store.js";

const request = (id: string, cost = 1): StoreRequest => ({ id, cost, maxWaitUs: 0, headroomPerMille: 200 });
const bucket = tokenBucket({ rate: 10, burst: 5 });
const log = slidingWindow({ limit: 5, window: "1s" });
const quota = (rules: StoreAcquire["rules"], requests: StoreRequest[], arrival?: ArrivalPart): StoreAcquire => ({
  keys: quotaKeys("p", "q", rules),
  rules,
  arrival,
  requests,
});

describe("one request on one limit", () => {
  it("is a call of one quota with one request and one rule", () => {
    expect(isOneRequest([quota([bucket], [request("a")])])).toBe(true);
    expect(isOneRequest([quota([bucket], [request("a"), request("b")])])).toBe(false);
    expect(isOneRequest([quota([bucket, log], [request("a")])])).toBe(false);
    expect(isOneRequest([quota([bucket], [request("a")]), quota([log], [request("b")])])).toBe(false);
    expect(isOneRequest([quota([concurrency({ limit: 2 })], [request("a")])])).toBe(true);
  });

  it("goes as KEYS call, pause, limit (and arrival); ARGV head, terms, the rule's three figures (and the arrival part's)", () => {
    const head = ["", "0", ""];
    const arrival: ArrivalPart = { key: "p:{q}:arrival", wire: ["ar", 25_000, 1_000, 50_000] };
    expect(encodeOne(quota([bucket], [request("a", 2)], arrival), head)).toEqual({
      keys: ["p:{q}:call:a", "p:{q}:pause", "p:{q}:tb:100000:5", "p:{q}:arrival"],
      args: ["", "0", "", "2", "0", "200", "100000", "5", "0", "25000", "1000", "50000"],
    });
    expect(encodeOne(quota([bucket], [request("a")]), head).args).toEqual([
      "",
      "0",
      "",
      "1",
      "0",
      "200",
      "100000",
      "5",
      "0",
    ]);
  });

  it("ends with the request id when the limit keeps ids (an exact log)", () => {
    expect(encodeOne(quota([log], [request("r1")]), ["", "0", ""]).args).toEqual([
      "",
      "0",
      "",
      "1",
      "0",
      "200",
      "5",
      "1000000",
      "0",
      "r1",
    ]);
  });
});
