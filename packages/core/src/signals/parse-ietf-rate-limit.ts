import { type BareItem, type Dictionary, type List, parseDictionary, parseList } from "structured-headers";
import { capWait } from "./cap-wait.js";

/** One entry of the IETF `RateLimit` field. */
export interface IetfRateLimit {
  /** Policy name (`"default"` for the unnamed dictionary form). */
  readonly policy: string;
  /** `r`: units left in the current window, when sent. */
  readonly remaining: number | undefined;
  /** `t`: ms until the window resets, when sent. */
  readonly resetAfterMs: number | undefined;
}

/** One entry of the IETF `RateLimit-Policy` field. */
export interface IetfRateLimitPolicy {
  readonly policy: string;
  /** `q`: units per window. */
  readonly quota: number | undefined;
  /** `w`: window length in ms. */
  readonly windowMs: number | undefined;
}

const nonNegative = (value: BareItem | undefined): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;

const nameOf = (value: BareItem): string =>
  typeof value === "string" || (typeof value === "object" && value?.constructor?.name === "Token")
    ? String(value)
    : "default";

const seconds = (value: BareItem | undefined): number | undefined => {
  const s = nonNegative(value);
  return s === undefined ? undefined : capWait(s * 1000);
};

function list(value: string): List | undefined {
  try {
    return parseList(value);
  } catch {
    return undefined;
  }
}

function dictionary(value: string): Dictionary | undefined {
  try {
    return parseDictionary(value);
  } catch {
    return undefined;
  }
}

const itemOf = (dict: Dictionary, key: string): BareItem | undefined => {
  const member = dict.get(key);
  return member === undefined || Array.isArray(member[0]) ? undefined : (member[0] as BareItem);
};

/**
 * Parses the IETF `RateLimit` field (draft-ietf-httpapi-ratelimit-headers): the draft-10 list
 * form `"default";r=0;t=30, "daily";r=999;t=3600`, and the older dictionary form
 * `limit=100, remaining=0, reset=30`. Malformed fields give `[]`; never throws.
 */
export function parseIetfRateLimit(value: string | null | undefined): IetfRateLimit[] {
  if (typeof value !== "string" || value.trim() === "") return [];
  const members = list(value);
  if (members?.every(([, params]) => params.has("r") || params.has("t"))) {
    return members.map(([item, params]) => ({
      policy: Array.isArray(item) ? "default" : nameOf(item),
      remaining: nonNegative(params.get("r")),
      resetAfterMs: seconds(params.get("t")),
    }));
  }
  const dict = dictionary(value);
  if (dict === undefined || !(dict.has("remaining") || dict.has("reset"))) return [];
  return [
    {
      policy: "default",
      remaining: nonNegative(itemOf(dict, "remaining")),
      resetAfterMs: seconds(itemOf(dict, "reset")),
    },
  ];
}

/**
 * Parses the IETF `RateLimit-Policy` field, draft-10 form `"burst";q=100;w=60`.
 * Malformed fields give `[]`; never throws.
 */
export function parseIetfRateLimitPolicy(value: string | null | undefined): IetfRateLimitPolicy[] {
  if (typeof value !== "string" || value.trim() === "") return [];
  const members = list(value);
  if (members === undefined) return [];
  return members
    .filter(([, params]) => params.has("q"))
    .map(([item, params]) => ({
      policy: Array.isArray(item) ? "default" : nameOf(item),
      quota: nonNegative(params.get("q")),
      windowMs: seconds(params.get("w")),
    }));
}

/** The wait the `RateLimit` field implies: the longest reset among exhausted policies (r = 0). */
export function ietfWait(limits: readonly IetfRateLimit[]): number | undefined {
  const waits = limits.filter((l) => l.remaining === 0 && l.resetAfterMs !== undefined).map((l) => l.resetAfterMs ?? 0);
  return waits.length === 0 ? undefined : Math.max(...waits);
}
