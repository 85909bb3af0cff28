import type { ArrivalReport } from "./status-report.js";

const FIELDS = ["m", "e", "l", "g", "s", "p", "pt"] as const;

type Field = (typeof FIELDS)[number];

const integer = (text: string | undefined): number | undefined =>
  text !== undefined && /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined;

/**
 * A quota's arrival hash as HGETALL gives it (`lua/algorithms/arrival.lua`: margin `m`, share
 * `e` per mille, times and lateness in µs), or `undefined` when it is not one: the script always
 * writes every field, as an integer.
 */
export function arrivalStatus(hash: Readonly<Record<string, string>>): ArrivalReport | undefined {
  const state: Partial<Record<Field, number>> = {};
  for (const field of FIELDS) {
    const value = integer(hash[field]);
    if (value === undefined) return undefined;
    state[field] = value;
  }
  const { m, e, g, s, p, pt } = state as Record<Field, number>;
  return {
    marginMs: m / 1000,
    share: e / 1000,
    latenessMs: p / 1000,
    latenessAt: pt > 0 ? Math.floor(pt / 1000) : null,
    changedAt: Math.floor(g / 1000),
    steppedBackAt: Math.floor(s / 1000),
  };
}
