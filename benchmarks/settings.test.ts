import { describe, expect, it } from "vitest";
import { allSections, selected, settingsFromArgs } from "./settings.js";

describe("benchmark settings from the command line", () => {
  it("runs every section at full size by default, and smaller with --quick", () => {
    const full = settingsFromArgs([]);
    const quick = settingsFromArgs(["--quick"]);
    expect(full.sections).toEqual(allSections);
    expect(full.shareProcesses).toEqual([1, 4, 16]);
    expect(full.shareVariants).toBe(true);
    expect(full.processesGiven).toBe(false);
    expect(quick.quick).toBe(true);
    expect(quick.sections).toEqual(allSections);
    expect(quick.passMs).toBeLessThan(full.passMs);
    expect(quick.memoryKeys).toBeLessThan(full.memoryKeys);
    expect(quick.arrivalRunMs).toBeLessThan(full.arrivalRunMs);
  });

  it("--processes replaces the sharing runs' process counts and drops the 4-process variants", () => {
    const one = settingsFromArgs(["--processes", "16"]);
    expect(one.shareProcesses).toEqual([16]);
    expect(one.shareVariants).toBe(false);
    expect(one.processesGiven).toBe(true);
    expect(settingsFromArgs(["--quick", "--processes", "1,16"]).shareProcesses).toEqual([1, 16]);
  });

  it.each(["0", "-4", "2.5", "four", "1,,16"])(
    "--processes %s is a TypeError naming the flag and the value",
    (value) => {
      expect(() => settingsFromArgs(["--processes", value])).toThrow(
        new TypeError(`--processes takes positive integers, comma-separated; got ${value}`),
      );
    },
  );

  it("--arrival-seconds sets the length of each arrival run", () => {
    const long = settingsFromArgs(["--only", "arrival", "--arrival-seconds", "30"]);
    expect(long.arrivalRunMs).toBe(30_000);
    expect(long.arrivalSecondsGiven).toBe(true);
    expect(settingsFromArgs([]).arrivalSecondsGiven).toBe(false);
  });

  it.each(["2", "0", "4.5", "ten"])("--arrival-seconds %s is a TypeError naming the flag and the value", (value) => {
    expect(() => settingsFromArgs(["--arrival-seconds", value])).toThrow(
      new TypeError(`--arrival-seconds takes a whole number of seconds, 3 or more; got ${value}`),
    );
  });

  it("a flag without its value is a TypeError naming the flag", () => {
    expect(() => settingsFromArgs(["--processes"])).toThrow(new TypeError("--processes needs a value"));
    expect(() => settingsFromArgs(["--match", "--quick"])).toThrow(new TypeError("--match needs a value"));
  });

  it("--only keeps the named sections and names any unknown one", () => {
    expect(settingsFromArgs(["--only", "sharing,memory"]).sections).toEqual(["sharing", "memory"]);
    expect(settingsFromArgs(["--only", "arrival"]).sections).toEqual(["arrival"]);
    expect(() => settingsFromArgs(["--only", "sharing,speed"])).toThrow(
      new TypeError(`--only takes ${allSections.join(", ")}; got speed`),
    );
  });

  it("--match selects contenders by name, and the physical limit always runs", () => {
    const settings = settingsFromArgs(["--match", "paced"]);
    expect(selected(settings, "Sluice sliding window, 30 ms margin, paced 1 ms")).toBe(true);
    expect(selected(settings, "Sluice default (acquire, no feedback)")).toBe(false);
    expect(selected(settingsFromArgs(["--match", "default"]), "Sluice default (createFetch)")).toBe(true);
    expect(selected(settings, "physical limit (INCR+PEXPIRE script)")).toBe(true);
    expect(selected(settingsFromArgs([]), "anything")).toBe(true);
  });
});
