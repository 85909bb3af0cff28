/**
 * Quota options that make a quota exact on Redis's clock alone: no arrival margin, no pacing.
 * For tests of the algorithms themselves, whose figures the defaults would shift.
 */
export const exactOnRedisClock = { arrivalMargin: 0, pacing: false } as const;
