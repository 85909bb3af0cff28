import { createMemoryLimiter, tokenBucket } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { CredentialPool } from "./credential-pool.js";
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
