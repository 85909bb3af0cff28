export interface EtaInput {
  /** Items still to run; `undefined` when the number of inputs is unknown. */
  readonly remaining: number | undefined;
  /** Quota units per second the quota's limits allow (see `quotaRate`), if known. */
  readonly quotaRate: number | undefined;
  /** Quota units each item spends on average so far (cost × requests per item); 1 before any. */
  readonly unitsPerItem: number;
  /** Items finished per second in this run so far, `undefined` before enough were seen. */
  readonly observedRate: number | undefined;
}

/**
 * Items per second to expect from now on: what the quota allows (`quotaRate / unitsPerItem`)
 * unless this run observes less (other processes share the quota, or the task is slower than
 * the quota), then the observed rate.
 */
export function expectedRate(input: Omit<EtaInput, "remaining">): number | undefined {
  const byQuota = input.quotaRate === undefined ? undefined : input.quotaRate / Math.max(input.unitsPerItem, 1e-9);
  if (byQuota === undefined) return input.observedRate;
  return input.observedRate === undefined ? byQuota : Math.min(byQuota, input.observedRate);
}

/** Seconds until the run should end, or `undefined` when unknown. */
export function etaSeconds(input: EtaInput): number | undefined {
  const rate = expectedRate(input);
  if (input.remaining === undefined || rate === undefined || rate <= 0) return undefined;
  return input.remaining / rate;
}

/** `1h 02m`, `3m 05s`, `12s`. */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "?";
  const s = Math.ceil(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}
