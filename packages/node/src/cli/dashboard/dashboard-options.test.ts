import { describe, expect, it } from "vitest";
import { parseDashboardArgs } from "./dashboard-options.js";

const usage = (args: string[]): string => {
  try {
    parseDashboardArgs(args, {});
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
};

describe("sluice dashboard arguments", () => {
  it("defaults: loopback, a free port, one read a second; the common options as for status", () => {
    expect(parseDashboardArgs([], { REDIS_URL: "redis://r:1" })).toEqual({
      url: "redis://r:1",
      cluster: undefined,
      prefix: "sluice",
      help: false,
      host: "127.0.0.1",
      port: 0,
      intervalSeconds: 1,
    });
  });

  it("reads values given either way", () => {
    expect(
      parseDashboardArgs(["--host", "[::1]", "--port=7070", "--interval", "0.5", "--prefix", "a"], {}),
    ).toMatchObject({ host: "::1", port: 7070, intervalSeconds: 0.5, prefix: "a" });
  });

  it.each([
    [["--port", "70000"], "Expected `--port` to be an integer from 0 to 65535, got `70000`"],
    [["--port", "-1"], "Expected `--port` to be an integer from 0 to 65535, got `-1`"],
    [["--port"], "`--port` needs a value"],
    [["--interval", "0"], "Expected `--interval` to be seconds from 0.1 to 3600, got `0`"],
    [["--host="], "Expected `--host` to be an address"],
    [["--json"], "Unknown argument `--json`"],
  ])("%j: %s", (args, message) => {
    expect(usage(args)).toContain(message);
  });
});
