import { describe, expect, it } from "vitest";
import { withoutCommand } from "./without-command.js";

const SOURCE = "local t = redis.call('TIME') -- the whole script";

describe("withoutCommand", () => {
  it("drops the request @upstash/redis quotes, keeping Redis's words, the name and the stack", () => {
    const error = new Error(`ERR user_script:1: boom, command was: ["eval",${JSON.stringify(SOURCE)},1,"k","1"]`);
    error.name = "UpstashError";
    const safe = withoutCommand(error) as Error;
    expect(safe).not.toBe(error);
    expect(safe.name).toBe("UpstashError");
    expect(safe.message).toBe("ERR user_script:1: boom");
    expect(safe.stack).toMatch(/^UpstashError: ERR user_script:1: boom\n {4}at /);
    expect(safe.stack).not.toContain("TIME");
  });

  it("drops a whole pipeline's request too", () => {
    const error = new Error(
      `Unauthorized, command was: [["evalsha","0123",1,"k"],["eval",${JSON.stringify(SOURCE)},0]]`,
    );
    expect((withoutCommand(error) as Error).message).toBe("Unauthorized");
  });

  it("returns any other error, and anything not an error, as it is", () => {
    const error = new Error("Command failed: NOSCRIPT No matching script. Please use EVAL.");
    expect(withoutCommand(error)).toBe(error);
    expect(withoutCommand("text")).toBe("text");
  });
});
