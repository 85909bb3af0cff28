import { describe, expect, it } from "vitest";
import { commandStats } from "./server-cost-suite.js";

describe("INFO commandstats", () => {
  it("gives calls and µs per command, without the commands a pass sends to connect and to read the stats", () => {
    const info = [
      "# Commandstats",
      "cmdstat_evalsha:calls=2000,usec=19850,usec_per_call=9.93,rejected_calls=0,failed_calls=0",
      "cmdstat_time:calls=2000,usec=1020,usec_per_call=0.51,rejected_calls=0,failed_calls=0",
      "cmdstat_config|resetstat:calls=1,usec=12,usec_per_call=12.00,rejected_calls=0,failed_calls=0",
      "cmdstat_info:calls=3,usec=80,usec_per_call=26.67,rejected_calls=0,failed_calls=0",
      "",
    ].join("\r\n");
    expect(commandStats(info)).toEqual({
      evalsha: { calls: 2000, usec: 19850 },
      time: { calls: 2000, usec: 1020 },
    });
  });
});
