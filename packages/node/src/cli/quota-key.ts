/** A key under the prefix, split into the quota it belongs to and what it holds. */
export interface QuotaKey {
  /** The key as stored, byte for byte (names may hold any bytes). */
  readonly key: Buffer;
  /** The escaped name between the braces, as a binary string: equal tags, same quota. */
  readonly tag: string;
  /** The quota name, unescaped and decoded as UTF-8 (invalid bytes become U+FFFD). */
  readonly name: string;
  /** What follows `}:`: a rule id, `pause` or `events`. */
  readonly suffix: string;
}

const OPEN = 0x7b;
const CLOSE = 0x7d;
const COLON = 0x3a;

/** The reverse of the escaping in `packages/core/src/keys.ts`: `%25` `%7B` `%7D` back to `%` `{` `}`. */
export const unescapeName = (escaped: string): string =>
  escaped.replace(/%(25|7B|7D)/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/**
 * Splits `<prefix>:{<escaped name>}:<suffix>`, or returns `undefined` for a key of another
 * layout. The escaped name holds no braces, so the first `}` after `{` ends it whatever bytes
 * the name holds (spaces, newlines, `:`, `}` written as `%7D`).
 */
export function parseQuotaKey(key: Buffer, prefix: string): QuotaKey | undefined {
  const head = Buffer.from(`${prefix}:{`, "utf8");
  if (key.length < head.length || !key.subarray(0, head.length).equals(head)) return undefined;
  const close = key.indexOf(CLOSE, head.length);
  if (close < 0 || key[close + 1] !== COLON) return undefined;
  const tagBytes = key.subarray(head.length, close);
  if (tagBytes.includes(OPEN)) return undefined;
  const suffix = key.subarray(close + 2).toString("utf8");
  if (suffix === "") return undefined;
  return { key, tag: tagBytes.toString("latin1"), name: unescapeName(tagBytes.toString("utf8")), suffix };
}

/** A SCAN MATCH pattern for every key under `prefix`, with glob characters in it escaped. */
export const scanPattern = (prefix: string): string => `${prefix.replace(/[*?[\]\\]/g, "\\$&")}:{*`;
