import { createMemoryLimiter, tokenBucket } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { CredentialPool, type PoolKey } from "./credential-pool.js";
import { isNoCredentialAvailableError } from "./errors/no-credential-available-error.js";

const keys = (ids: string[]) => ids.map((id) => ({ id, secret: `s-${id}`, limits: [tokenBucket({ rate: 1 })] }));

describe("CredentialPool", () => {
  it("rotates over keys with a free slot, then waits on the soonest", async () => {
    const pool = new CredentialPool("c", createMemoryLimiter(), "g", { header: "X-Key", keys: keys(["a", "b", "c"]) });
    const picked = [];
    for (let i = 0; i < 3; i++) picked.push((await pool.pick(undefined)).key.id);
    expect(picked.sort()).toEqual(["a", "b", "c"]);
    expect(pool.keys.map((key) => key.quota.name)).toEqual(["g:key:a", "g:key:b", "g:key:c"]);
    const controller = new AbortController();
    const waiting = pool.pick(controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
  });

  it("spreads concurrent waiting picks over the keys, even when one key looks soonest to all of them", async () => {
    const limits = [tokenBucket({ rate: 20, burst: 1 })];
    const pool = new CredentialPool("c", createMemoryLimiter(), "g", {
      header: "X-Key",
      keys: ["a", "b", "c"].map((id) => ({ id, secret: `s-${id}`, limits })),
    });
    const [a, b, c] = pool.keys as [PoolKey, PoolKey, PoolKey];
    // a's next slot comes 30 ms before b's and c's, so every concurrent pick first sees a as the soonest.
    await a.quota.tryAcquire();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await Promise.all([b.quota.tryAcquire(), c.quota.tryAcquire()]);
    const picks = await Promise.all(Array.from({ length: 9 }, () => pool.pick(undefined)));
    const counts = { a: 0, b: 0, c: 0 };
    for (const pick of picks) counts[pick.key.id as "a"]++;
    expect(counts).toEqual({ a: 3, b: 3, c: 3 });
  });

  it("counts no wait for a free key, and the slot wait, not the lookups, for a pick that waits", async () => {
    const limits = [tokenBucket({ rate: 5, burst: 1 })];
    const pool = new CredentialPool("c", createMemoryLimiter(), "g", {
      header: "X-Key",
      keys: [{ id: "a", secret: "s-a", limits }],
    });
    expect((await pool.pick(undefined)).waitedMs).toBe(0);
    const started = performance.now();
    const { grant, waitedMs } = await pool.pick(undefined);
    // At 5/s the slot comes 200 ms after the first (less the moments in between); retryAfterMs
    // is rounded up to a whole ms, and a timer may fire up to 1 ms early.
    expect(grant.retryAfterMs).toBeGreaterThan(100);
    expect(waitedMs).toBeGreaterThan(grant.retryAfterMs - 2);
    expect(waitedMs).toBeLessThanOrEqual(performance.now() - started);
  });

  it("writes the formatted secret, and quarantines refused keys", async () => {
    const pool = new CredentialPool("c", createMemoryLimiter(), "g", {
      header: "Authorization",
      format: (s) => `Bearer ${s}`,
      keys: keys(["a", "b"]),
      quarantine: "1m",
    });
    const headers = new Headers();
    const [a, b] = pool.keys as [(typeof pool.keys)[0], (typeof pool.keys)[0]];
    pool.apply(a, headers);
    expect(headers.get("authorization")).toBe("Bearer s-a");
    pool.quarantine(a);
    expect(pool.hasOtherThan(a)).toBe(true);
    expect((await pool.pick(undefined)).key.id).toBe("b");
    pool.quarantine(b);
    const error = await pool.pick(undefined).catch((e: unknown) => e);
    expect(isNoCredentialAvailableError(error)).toBe(true);
    expect(error).toMatchObject({ quota: "g", code: "NO_CREDENTIAL_AVAILABLE" });
  });

  it("never echoes a secret in its TypeErrors", () => {
    const limiter = createMemoryLimiter();
    const leak = (secret: unknown, format?: (s: string) => string) => {
      try {
        const pool = new CredentialPool("c", limiter, "g", {
          header: "x-key",
          keys: [{ id: "a", secret: secret as string, limits: [tokenBucket({ rate: 1 })] }],
          ...(format ? { format } : {}),
        });
        pool.apply(pool.keys[0] as never, new Headers());
        return "";
      } catch (error) {
        return String(error);
      }
    };
    expect(leak(123456789)).not.toContain("123456789");
    expect(leak("TOPSECRET", (s) => `${s}\n${s}`)).toContain('key "a"');
    expect(leak("TOPSECRET", (s) => `${s}\n${s}`)).not.toContain("TOPSECRET");
  });
});
