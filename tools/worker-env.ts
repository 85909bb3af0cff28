// What every worker process spawned by the demo, the tests and the benchmarks reads first.

/** An environment variable the worker cannot run without. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

/** Shifts this process's `Date.now` by CLOCK_SKEW_MS (if set), as a machine with a wrong clock would. */
export function applyClockSkew(): void {
  const skew = Number(process.env.CLOCK_SKEW_MS ?? "0");
  if (skew === 0) return;
  const realNow = Date.now;
  Date.now = () => realNow() + skew;
}
