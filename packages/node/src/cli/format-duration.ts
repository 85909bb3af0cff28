const units = [
  ["d", 86_400_000_000],
  ["h", 3_600_000_000],
  ["min", 60_000_000],
  ["s", 1_000_000],
  ["ms", 1000],
  ["µs", 1],
] as const;

/** Up to `digits` decimals, without trailing zeros: 14.4, 90.91, 1. */
export const trimNumber = (value: number, digits = 2): string => String(Number(value.toFixed(digits)));

/** Microseconds in the largest unit that keeps the value >= 1: `1 s`, `90.91 ms`, `14.4 min`. */
export function formatDuration(us: number): string {
  for (const [unit, size] of units) {
    if (Math.abs(us) >= size) return `${trimNumber(us / size)} ${unit}`;
  }
  return `${trimNumber(us)} µs`;
}
