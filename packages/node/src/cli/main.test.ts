import { describe, expect, it } from "vitest";
import { main } from "./main.js";
import { maskSecrets, maskUrl, secretsIn } from "./mask-secrets.js";
import { parseStatusArgs } from "./status-options.js";

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out = { stdout: "", stderr: "" };
  const code = await main(argv, {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    env,
    stop: new AbortController().signal,
  });
  return { code, ...out };
}

describe("sluice arguments", () => {
  it("defaults: REDIS_URL, else the local Redis; prefix sluice; print once", () => {
    expect(parseStatusArgs([], {})).toEqual({
      url: "redis://127.0.0.1:6379",
      cluster: undefined,
      prefix: "sluice",
      json: false,
      watchSeconds: undefined,
      help: false,
    });
    expect(parseStatusArgs([], { REDIS_URL: "redis://r:1" }).url).toBe("redis://r:1");
  });

  it("reads values given either way, and --watch with or without seconds", () => {
    expect(parseStatusArgs(["--watch", "--json"], {})).toMatchObject({ watchSeconds: 2, json: true });
    expect(parseStatusArgs(["--watch", "0.5", "--prefix=a:b"], {})).toMatchObject({ watchSeconds: 0.5, prefix: "a:b" });
    expect(parseStatusArgs(["--cluster", "h1:7000,redis://:pw@h2:7001"], {}).cluster).toEqual([
      { host: "h1", port: 7000, username: undefined, password: undefined, tls: false },
      { host: "h2", port: 7001, username: undefined, password: "pw", tls: false },
    ]);
  });

  it.each([
    [["status", "--watch", "0"], "Expected `--watch` to be seconds from 0.1 to 3600, got `0`"],
    [["status", "--prefix", "a{b"], "Expected `prefix` to be a non-empty string without `{` or `}`"],
    [["status", "--url", "http://x"], "Expected `--url` to be a redis:// or rediss:// URL"],
    [["status", "--url"], "`--url` needs a value"],
    [["status", "--cluster", "h:1", "--url", "redis://h"], "Pass `--url` or `--cluster`, not both"],
    [["status", "--cluster", "nohost"], "Expected each `--cluster` entry to be host:port"],
    [["status", "--json=1"], "`--json` takes no value"],
    [["dashboard", "--port", "x"], "Expected `--port` to be an integer from 0 to 65535, got `x`"],
    [["dashboard", "--watch"], "Unknown argument `--watch`"],
    [["stats"], "Unknown command `stats`"],
    [[], "Missing command"],
  ])("%j exits 2: %s", async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it("--help prints the options and exits 0", async () => {
    for (const argv of [["--help"], ["status", "-h"], ["dashboard", "--help"]]) {
      const result = await cli(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("--watch [seconds]");
    }
  });

  it("never echoes a password, even from a misplaced argument", async () => {
    const result = await cli(["status", "--bogus=redis://u:hunter2@h", "--cluster", "redis://:hunter3@h:1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("redis://u:***@h");
    expect(result.stderr).not.toMatch(/hunter/);
  });
});

describe("masking", () => {
  it("masks the password of any URL in a text", () => {
    expect(maskUrl("at redis://:p@ss@h:1 and rediss://u:x%40y@h/0")).toBe("at redis://:***@h:1 and rediss://u:***@h/0");
    expect(maskUrl("redis://h:6379")).toBe("redis://h:6379");
  });

  it("masks literal secrets, as written and decoded", () => {
    const secrets = secretsIn(["--url", "redis://:a%2Fb@h"], { REDIS_URL: "redis://u:zz9@h" });
    expect(secrets.sort()).toEqual(["a%2Fb", "a/b", "zz9"]);
    expect(maskSecrets("auth a/b failed; zz9", secrets)).toBe("auth *** failed; ***");
  });
});
