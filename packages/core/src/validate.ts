const describe = (value: unknown): string => {
  if (typeof value === "string") return `\`${JSON.stringify(value)}\` (string)`;
  if (typeof value === "bigint") return `\`${value}n\` (bigint)`;
  if (typeof value === "object" && value !== null) return `\`${Object.prototype.toString.call(value)}\` (object)`;
  return `\`${String(value)}\` (${typeof value})`;
};

/** Throws the one TypeError shape every option check uses. */
export function invalid(option: string, expected: string, value: unknown): never {
  throw new TypeError(`Expected \`${option}\` to be ${expected}, got ${describe(value)}`);
}

/** An integer in [min, max]. */
export function integer(option: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    invalid(
      option,
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
      value,
    );
  }
  return value;
}

/** A finite number in (0, max] . */
export function positive(option: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max) {
    invalid(option, `a finite number > 0 and <= ${max}`, value);
  }
  return value;
}

/** A plain options object (or undefined when `optional`). */
export function options<T>(name: string, value: T | undefined): T {
  if (typeof value !== "object" || value === null || Array.isArray(value)) invalid(name, "an options object", value);
  return value;
}
