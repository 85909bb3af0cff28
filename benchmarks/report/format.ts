import type { ThroughputRow } from "../throughput/throughput-suite.js";

/** A number with thousands separators and `digits` decimals: `12,345`, `0.5`. */
export const fixed = (value: number, digits = 0): string =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A share as a percentage with one decimal: `0.9613` → `96.1%`. */
export const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** A markdown table. */
export const table = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");

/** How the report names a throughput scenario: `Single Redis, distinct keys, 64 in flight`. */
export const scenarioTitle = (row: ThroughputRow): string =>
  `${row.topology === "single" ? "Single Redis" : "3-master Cluster"}, ${
    row.workload === "distinct" ? "distinct keys" : "one hot quota"
  }, ${row.inFlight} in flight`;

/** An ISO date as the report says it: `2026-12-02 20:31 UTC`. */
export const when = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
