import { type RuleSpec, ruleKindOf } from "@sluice/core/adapter";
import { formatDuration } from "./format-duration.js";

/** The rule in `sluice status`'s words: `slidingWindow 100 per 1 s`, `tokenBucket 11 per 1 s, burst 11`. */
export const describeRule = (spec: RuleSpec): string => ruleKindOf(spec).describe(spec, formatDuration);
