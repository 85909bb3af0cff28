import type { ConcurrencySpec } from "./concurrency.js";
import type { FixedWindowSpec } from "./fixed-window.js";
import type { Rule, WireCode } from "./rule.js";
import type { SlidingWindowSpec } from "./sliding-window.js";
import type { TokenBucketSpec } from "./token-bucket.js";

/**
 * A rule as its id names it (`parseRuleId`): the parameters the scripts count in, microseconds
 * for times. What a reader of the store (`sluice status`) knows of a limit.
 */
export type RuleSpec = TokenBucketSpec | SlidingWindowSpec | FixedWindowSpec | ConcurrencySpec;

/** One limit's use at a moment, by the same arithmetic as the acquire script's report. */
export interface LimitUsage {
  /** Units per span: a token bucket's burst, every other rule's limit. */
  readonly limit: number;
  /** Units spent now. */
  readonly used: number;
  /** Units an acquire could take now, reservations ahead counted as spent. */
  readonly available: number;
  /** Units reserved for slots after now; `null` where nothing can be reserved ahead (concurrency). */
  readonly waiting: number | null;
}

/** A read-only Redis command on a limit's key: its name, then the arguments after the key. */
export type StateCommand = readonly [name: string, ...args: string[]];

/** How to read one limit's key: the commands to send, and what their replies mean. */
export interface LimitRead {
  readonly commands: readonly StateCommand[];
  /**
   * The limit's use from the replies of `commands`, in order, as Redis sends them (an HGETALL
   * reply as a flat field/value list or as an object: clients differ); `undefined` when the
   * key held nothing usable (it expired after its type was read).
   */
  usage(replies: readonly unknown[]): LimitUsage | undefined;
}

/**
 * Everything Sluice knows about one kind of rule beyond the factory: one per kind, in the
 * kind's module, looked up through `ruleKindOf`. Adding a kind: see lua/README.md.
 */
export interface RuleKind<R extends Rule = Rule, S extends RuleSpec = RuleSpec> {
  /** The factory's name, as `Rule.kind`. */
  readonly kind: R["kind"];
  /** The wire codes its rules are sent with, which also begin their ids. */
  readonly codes: readonly WireCode[];
  /**
   * The same rule holding `share` (0 to 1) of its size, at least one unit, for a local
   * fallback: N processes each on `1/N` of a quota stay within it together.
   */
  scaled(rule: R, share: number): R;
  /** The spec an id names, from its code and whole-number parameters; `undefined` when they name none. */
  parseId(code: string, params: readonly number[]): S | undefined;
  /** The rule in words, e.g. `slidingWindow 100 per 1 s`, its times written by `duration` (µs in). */
  describe(spec: S, duration: (us: number) => string): string;
  /**
   * How to read its key when Redis reports the key's `type`, at `nowUs` (Redis TIME);
   * `undefined` when the kind never keeps that type (lua/algorithms/ has each layout).
   */
  read(spec: S, type: string, nowUs: number): LimitRead | undefined;
  /** Whether the `waiting` its reads report is an estimate (a token bucket's, from its TAT). */
  readonly estimatesWaiting: boolean;
}
