import { invalid } from "../validate.js";

/**
 * Gives a rule a name: two rules with the same parameters but different names keep separate
 * state (e.g. two endpoints that each allow 10 per minute, in one quota). The name is appended
 * to the id as `#<name>`, percent-encoded so it never contains `:`, `#` or braces.
 */
export function named(id: string, label: string, name: unknown): { id: string; label: string } {
  if (name === undefined) return { id, label };
  if (typeof name !== "string" || name === "" || name.length > 200)
    invalid("name", "a string of 1 to 200 characters", name);
  return { id: `${id}#${encodeURIComponent(name)}`, label: `${label} "${name}"` };
}
